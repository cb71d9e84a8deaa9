package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

const minimal = `
auth:
  tokens: [{name: a, token: aaaaaaaaaaaaaaaaaaaa}]
upstreams:
  - {name: demo, url: "http://127.0.0.1:9001/mcp"}
`

func TestExampleConfigIsValid(t *testing.T) {
	cfg, err := Load("../examples/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Upstreams) != 1 || cfg.Upstreams[0].Name != "demo" || len(cfg.VirtualServers) != 1 {
		t.Fatalf("unexpected example config: %+v", cfg)
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	u := cfg.Upstreams[0]
	if cfg.NameSeparator != "__" || cfg.Pool.MaxIdleConnsPerHost != 128 || cfg.Pool.MaxConnsPerHost != 128 || u.Transport != TransportStreamableHTTP ||
		u.Timeouts.Call != time.Minute || u.Health.FailureThreshold != 3 || cfg.MaxBodyBytes != 1<<20 {
		t.Fatalf("defaults not applied: %+v", cfg)
	}
}

// TestPoolCapDefaults: the connection cap follows the idle limit unless
// set; -1 lifts it; the global idle limit keeps every upstream's share.
func TestPoolCapDefaults(t *testing.T) {
	three := "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://a'}, {name: b, url: 'http://b'}, {name: c, url: 'http://c'}]\n"
	for _, tc := range []struct {
		pool                    string
		idle, perHost, connsCap int
	}{
		{"", 384, 128, 128},
		{"pool: {max_idle_conns_per_host: 16}", 256, 16, 16},
		{"pool: {max_idle_conns_per_host: 16, max_conns_per_host: -1}", 256, 16, -1},
		{"pool: {max_idle_conns: 40, max_idle_conns_per_host: 8, max_conns_per_host: 32}", 40, 8, 32},
	} {
		cfg, err := Parse([]byte(three + tc.pool))
		if err != nil {
			t.Fatalf("%q: %v", tc.pool, err)
		}
		p := cfg.Pool
		if p.MaxIdleConns != tc.idle || p.MaxIdleConnsPerHost != tc.perHost || p.MaxConnsPerHost != tc.connsCap {
			t.Errorf("%q: got idle %d, per host %d, cap %d; want %d, %d, %d", tc.pool,
				p.MaxIdleConns, p.MaxIdleConnsPerHost, p.MaxConnsPerHost, tc.idle, tc.perHost, tc.connsCap)
		}
	}
}

// TestUnknownKeys: unknown keys anywhere are errors naming the key and line.
func TestUnknownKeys(t *testing.T) {
	_, err := Parse([]byte("auth: {disabled: true}\nupstreams:\n  - name: demo\n    url: http://h/mcp\n    timeoutz: {call: 1s}\n"))
	if err == nil || !strings.Contains(err.Error(), "timeoutz") || !strings.Contains(err.Error(), "line 5") {
		t.Fatalf("err = %v", err)
	}
	_, err = Parse([]byte("listn: x\n" + minimal))
	if err == nil || !strings.Contains(err.Error(), "listn") {
		t.Fatalf("err = %v", err)
	}
}

func TestValidationErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"no auth", "upstreams: [{name: a, url: 'http://h/mcp'}]", "auth: no tokens or jwt configured"},
		{"bad url", "auth: {disabled: true}\nupstreams: [{name: a, url: 'ftp://h/x'}]", "upstreams[0].url: must be an absolute http or https URL"},
		{"relative url", "auth: {disabled: true}\nupstreams: [{name: a, url: '/mcp'}]", "upstreams[0].url"},
		{"bad transport", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h', transport: ws}]", "upstreams[0].transport"},
		{"dup upstream", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h'}, {name: a, url: 'http://h'}]", "upstreams[1].name: duplicate"},
		{"bad name", "auth: {disabled: true}\nupstreams: [{name: A_B, url: 'http://h'}]", "upstreams[0].name"},
		{"no upstreams", "auth: {disabled: true}", "upstreams: at least one"},
		{"tls on http", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h', tls: {ca_file: x}}]", "upstreams[0].tls: requires an https url"},
		{"cert without key", "auth: {disabled: true}\nupstreams: [{name: a, url: 'https://h', tls: {cert_file: x}}]", "cert_file and key_file"},
		{"forward auth", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h', forward_headers: [authorization]}]", "upstreams[0].forward_headers[0]"},
		{"short token", "auth: {tokens: [{name: a, token: short}]}\nupstreams: [{name: a, url: 'http://h'}]", "auth.tokens[0].token"},
		{"jwt alg", "auth: {jwt: {algorithm: none}}\nupstreams: [{name: a, url: 'http://h'}]", "auth.jwt.algorithm"},
		{"jwt short secret", "auth: {jwt: {algorithm: HS256, secret: x}}\nupstreams: [{name: a, url: 'http://h'}]", "auth.jwt.secret"},
		{"bad mode", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h'}]\nplugins: [{name: p, type: webhook, mode: loud}]", "plugins[0].mode"},
		{"bad separator", "name_separator: '/'\nauth: {disabled: true}\nupstreams: [{name: a, url: 'http://h'}]", "name_separator"},
		{"empty glob", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h', tools: {allow: ['']}}]", "upstreams[0].tools.allow[0]"},
		{"empty virtual", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h'}]\nvirtual_servers: [{name: v}]", "virtual_servers[0]: selects nothing"},
		{"negative duration", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h', timeouts: {call: -1s}}]", "upstreams[0].timeouts.call"},
		{"creds in url", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://u:p@h'}]", "must not contain credentials"},
		{"conn cap", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h'}]\npool: {max_conns_per_host: -2}", "pool.max_conns_per_host: must be -1"},
		{"conn cap below idle", "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://h'}]\npool: {max_idle_conns_per_host: 8, max_conns_per_host: 4}", "pool.max_conns_per_host: must be at least"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	_, err := Parse([]byte("auth: {disabled: true}\nupstreams: [{name: a, url: 'ftp://h', transport: x}]"))
	if err == nil || !strings.Contains(err.Error(), "url") || !strings.Contains(err.Error(), "transport") {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvExpansion(t *testing.T) {
	t.Setenv("GW_TEST_TOKEN", "from-the-environment-123")
	cfg, err := Parse([]byte(`
# comments may mention ${UNSET_VARIABLE} freely
auth:
  tokens: [{name: a, token: "${GW_TEST_TOKEN}"}]
upstreams: [{name: demo, url: "http://h/mcp", bearer_token: "a$b"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.Tokens[0].Token != "from-the-environment-123" || cfg.Upstreams[0].BearerToken != "a$b" {
		t.Fatalf("expansion: %+v", cfg.Auth.Tokens[0])
	}
	os.Unsetenv("GW_MISSING")
	_, err = Parse([]byte("auth: {tokens: [{name: a, token: '${GW_MISSING}'}]}\nupstreams: [{name: a, url: 'http://h'}]"))
	if err == nil || !strings.Contains(err.Error(), "GW_MISSING") || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeStrict(t *testing.T) {
	cfg, err := Parse([]byte(minimal + "plugins: [{name: p, type: t, config: {a: 1, b: x}}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	var ok struct {
		A int    `yaml:"a"`
		B string `yaml:"b"`
	}
	if err := DecodeStrict(&cfg.Plugins[0].Config, &ok); err != nil || ok.A != 1 || ok.B != "x" {
		t.Fatalf("decode: %v %+v", err, ok)
	}
	var strict struct {
		A int `yaml:"a"`
	}
	if err := DecodeStrict(&cfg.Plugins[0].Config, &strict); err == nil || !strings.Contains(err.Error(), "unknown key b") {
		t.Fatalf("err = %v", err)
	}
}
