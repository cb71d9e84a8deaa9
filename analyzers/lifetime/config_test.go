package lifetime

import (
	"strings"
	"testing"
)

// TestFlags checks that each list flag accepts what it documents and
// names itself in its errors.
func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		flag, value, err string
	}{
		{"entrypoints", "Handle,github.com/acme/web.Context", ""},
		{"entrypoints", "Handle(", `entry point "Handle(": want a method name or an import/path.Type`},
		{"lifecycle", "github.com/acme/host.Plugin", ""},
		{"lifecycle", "Plugin", `lifecycle interface "Plugin": want an import/path.Type`},
		{"release", "Dispose", ""},
		{"release", "acme.Dispose", `release method "acme.Dispose": want a method name`},
		{"constructors", "github.com/acme/httpx.NewClient:transport", ""},
		{"constructors", "NewClient", `constructor "NewClient": want import/path.Func or import/path.Type.Method`},
		{"constructors", "github.com/acme/httpx.New:pool", `unknown kind "pool"`},
	} {
		fs := NewFlagSet("x")
		err := fs.Set(tc.flag, tc.value)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("-%s=%s: %v", tc.flag, tc.value, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("-%s=%s: error %v, want %q", tc.flag, tc.value, err, tc.err)
		}
	}
}
