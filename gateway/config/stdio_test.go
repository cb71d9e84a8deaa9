package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStdioUpstreamValidation(t *testing.T) {
	head := "auth: {disabled: true}\nupstreams:\n"
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		upstream string
		want     []string // substrings of the error; none: valid
	}{
		{`  - {name: s, transport: stdio, command: sh, args: ["-c", "true"], env: {A_B: "1"}, dir: /}`, nil},
		{`  - {name: s, transport: stdio}`, []string{"upstreams[0].command: required with transport stdio"}},
		{`  - {name: s, transport: stdio, command: no-such-command-churnlint}`, []string{`upstreams[0].command: "no-such-command-churnlint" not found in PATH`}},
		{`  - {name: s, transport: stdio, command: /nonexistent/bin}`, []string{"upstreams[0].command: stat /nonexistent/bin"}},
		{`  - {name: s, transport: stdio, command: ` + plain + `}`, []string{"upstreams[0].command: " + plain + " is not an executable file"}},
		{`  - {name: s, transport: stdio, command: sh, dir: /nonexistent}`, []string{"upstreams[0].dir: stat /nonexistent"}},
		{`  - {name: s, transport: stdio, command: sh, env: {"1BAD": x}}`, []string{"upstreams[0].env.1BAD: must be a variable name"}},
		{`  - {name: s, transport: stdio, command: sh, url: "http://x/mcp", bearer_token: t, forward_headers: [X-A]}`, []string{
			"upstreams[0].url: not used with transport stdio", "upstreams[0].bearer_token: not used", "upstreams[0].forward_headers: not used"}},
		{`  - {name: h, url: "http://x/mcp", command: sh, args: [a], dir: /}`, []string{
			"upstreams[0].command: only used with transport stdio", "upstreams[0].args: only used", "upstreams[0].dir: only used"}},
		{`  - {name: h, url: "http://x/mcp", transport: pipes}`, []string{`upstreams[0].transport: must be "streamable-http", "sse" or "stdio"`}},
	} {
		_, err := Parse([]byte(head + tc.upstream + "\n"))
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("%s: unexpected error: %v", tc.upstream, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.upstream, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.upstream, err, w)
			}
		}
	}
}

func TestStdioEnvListIsSorted(t *testing.T) {
	s := Stdio{Env: map[string]string{"B": "2", "A": "1", "C": "3"}}
	if got := strings.Join(s.EnvList(), ","); got != "A=1,B=2,C=3" {
		t.Fatalf("EnvList = %s", got)
	}
}

func TestTracingValidation(t *testing.T) {
	head := "auth: {disabled: true}\nupstreams: [{name: a, url: 'http://a'}]\n"
	for _, tc := range []struct{ block, want string }{
		{"tracing: {exporter: otlp-grpc, endpoint: 'http://127.0.0.1:4317', sample_ratio: 0.5}", ""},
		{"tracing: {exporter: jaeger}", "tracing.exporter: must be one of"},
		{"tracing: {exporter: otlp-http, endpoint: '127.0.0.1:4318'}", "tracing.endpoint: must be an absolute http or https URL"},
		{"tracing: {exporter: stdout, endpoint: 'http://x'}", "tracing.endpoint: not used with exporter stdout"},
		{"tracing: {sample_ratio: 1.5}", "tracing.sample_ratio: must be between 0 and 1"},
		{"admin: {token: short}", "admin.token: must be at least 16 characters"},
	} {
		_, err := Parse([]byte(head + tc.block + "\n"))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.block, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.block, err, tc.want)
		}
	}
}
