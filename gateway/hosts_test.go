package gateway_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

func postWithHost(t *testing.T, url, host string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(initBody)))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// On a loopback listener, the DNS-rebinding guard admits loopback names
// and the names in http.allowed_hosts (a same-host reverse proxy's), and
// nothing else.
func TestAllowedHosts(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, "")
	def := startGateway(t, cfg)
	cfg2 := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, "http: {allowed_hosts: [mcp.example.com]}")
	listed := startGateway(t, cfg2)
	for _, tc := range []struct {
		gw   *testGateway
		host string
		want int
	}{
		{def, "localhost:8080", http.StatusOK},
		{def, "mcp.example.com", http.StatusForbidden},
		{listed, "mcp.example.com", http.StatusOK},
		{listed, "MCP.example.com:443", http.StatusOK},
		{listed, "127.0.0.1", http.StatusOK},
		{listed, "evil.example.net", http.StatusForbidden},
	} {
		for _, path := range []string{"/mcp", "/servers/none/mcp"} {
			want := tc.want
			if path != "/mcp" && want == http.StatusOK {
				want = http.StatusNotFound // past the guard, no such server
			}
			if got := postWithHost(t, tc.gw.URL+path, tc.host); got != want {
				t.Errorf("%s Host %s (allowed_hosts %v): %d, want %d", path, tc.host, tc.gw == listed, got, want)
			}
		}
	}
}
