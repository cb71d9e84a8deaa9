package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionAndValidate(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-version"}, &out, &errOut); code != 0 || strings.TrimSpace(out.String()) == "" {
		t.Fatalf("-version: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"-config", "../../examples/gateway.yaml", "-validate"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "configuration is valid") {
		t.Fatalf("-validate: %d %q %q", code, out.String(), errOut.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("auth: {disabled: true}\nupstreams: [{name: a, url: 'ftp://x'}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := run([]string{"-config", bad, "-validate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "upstreams[0].url") {
		t.Fatalf("bad config: %d %q", code, errOut.String())
	}
}

// -validate builds what New builds: plugins with bad config blocks are
// rejected with the message New would have logged, exit code 2.
func TestValidateBuildsPlugins(t *testing.T) {
	for _, tc := range []struct{ name, plugins, want string }{
		{"unknown type", "plugins: [{name: m, type: bogus}]\n", `plugins[0].type: unknown plugin type "bogus"`},
		{"unknown key", "plugins: [{name: m, type: moderation, config: {endpoint: 'http://127.0.0.1:9/m', bogus: 1}}]\n", "plugins[0] (m): config:"},
		{"webhook without urls", "plugins: [{name: w, type: webhook, config: {secret: 0123456789abcdef}}]\n", "plugins[0] (w): config.urls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gw.yaml")
			body := "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://127.0.0.1:9/mcp'}]\n" + tc.plugins
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			code := run([]string{"-config", path, "-validate"}, &out, &errOut)
			if code != 2 || !strings.Contains(errOut.String(), tc.want) || strings.Contains(out.String(), "valid") {
				t.Fatalf("-validate: exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out.String(), errOut.String(), tc.want)
			}
		})
	}
}
