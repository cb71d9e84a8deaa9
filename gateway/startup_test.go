package gateway_test

import (
	"strings"
	"testing"

	"github.com/churnlint/churnlint/gateway"
	"github.com/churnlint/churnlint/gateway/config"
)

// A config that decodes and validates but that New must still reject: New
// returns the error (naming the plugin and key) instead of panicking in its
// cleanup of what it had already built.
func TestNewReportsPluginErrorsWithoutPanic(t *testing.T) {
	for _, tc := range []struct{ name, plugins, want string }{
		{"unknown type", `
plugins:
  - {name: m, type: bogus}
`, `plugins[0].type: unknown plugin type "bogus"`},
		{"unknown moderation key", `
plugins:
  - name: m
    type: moderation
    config: {endpoint: "http://127.0.0.1:9/moderate", bogus: 1}
`, "plugins[0] (m): config: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(`
auth: {disabled: true}
upstreams: [{name: a, url: "http://127.0.0.1:9/mcp"}]
` + tc.plugins))
			if err != nil {
				t.Fatal(err)
			}
			g, err := gateway.New(cfg, gateway.Options{})
			if err == nil {
				t.Fatalf("New accepted the config (%v)", g)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
