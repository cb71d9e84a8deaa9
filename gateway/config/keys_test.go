package config

import (
	"strings"
	"testing"
)

const blockStyle = `
auth:
  tokens: [{name: a, token: aaaaaaaaaaaaaaaaaaaa}]
upstreams:
  - name: demo
    url: "http://127.0.0.1:9001/mcp"
`

// Errors name the key path and the line, not Go types, and suggest the
// key a typo meant.
func TestErrorsNameKeys(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"duration as number", blockStyle + "    timeouts: {call: 30}\n",
			`line 7: upstreams[0].timeouts.call: want a duration like "30s", got 30`},
		{"unknown key", blockStyle + "    refresh_intervall: 5m\n",
			"line 7: upstreams[0]: unknown key refresh_intervall (did you mean refresh_interval?)"},
		{"top-level typo", "listn: 127.0.0.1:1\n" + minimal,
			"line 1: unknown key listn (did you mean listen?)"},
		{"bool", minimal + "log: {level: info}\nauth_x: 1\n", "unknown key auth_x (did you mean auth?)"},
		{"integer", "max_body_bytes: lots\n" + minimal, "line 1: max_body_bytes: want an integer, got lots"},
		{"list", minimal + "virtual_servers: {name: x}\n", "line 6: virtual_servers: want a list, got a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "time.Duration") || strings.Contains(err.Error(), "config.") {
				t.Fatalf("error names Go types: %v", err)
			}
		})
	}
}

// A plugin's config block is checked where it sits in the file: line
// numbers count from the file's start, not the block's.
func TestPluginBlockLinesCountFromFile(t *testing.T) {
	cfg, err := Parse([]byte(minimal + `plugins:
  - name: m
    type: moderation
    config:
      endpoint: http://127.0.0.1:9/m
      timeout: 5
      bogus: 1
`))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Endpoint string `yaml:"endpoint"`
		Timeout  any    `yaml:"timeout"`
		Bogon    int    `yaml:"bogon"`
	}
	err = DecodeStrict(&cfg.Plugins[0].Config, &v)
	if err == nil || !strings.Contains(err.Error(), "line 12: unknown key bogus (did you mean bogon?)") {
		t.Fatalf("plugin block error %v, want it at line 12", err)
	}
}
