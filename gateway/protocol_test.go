package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/churnlint/churnlint/gateway"
)

// A client on an older protocol gets results without the fields of the
// gateway's (newer) upstream protocol; no client learns the upstream's
// identity, and a modern client sees the gateway's.
func TestResultsFollowTheClientsProtocol(t *testing.T) {
	gw := admissionGateway(t, "")
	url := gw.URL + "/mcp"
	id := openSession(t, url, adminToken)
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"alpha__echo","arguments":{"message":"m"}}}`,
		`{"jsonrpc":"2.0","id":6,"method":"prompts/get","params":{"name":"alpha__greet","arguments":{"name":"x"}}}`,
	} {
		resp, got := mcpRequest(t, http.MethodPost, url, adminToken, id, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", resp.StatusCode, got)
		}
		for _, field := range []string{`"resultType"`, "io.modelcontextprotocol/serverInfo"} {
			if strings.Contains(got, field) {
				t.Errorf("2025-06-18 client got %s: %s", field, got)
			}
		}
	}

	c := connect(t, url, adminToken) // negotiates the latest protocol
	res := callTool(t, c, "alpha__echo", map[string]any{"message": "m"})
	if res.Meta == nil || res.Meta.ServerInfo() == nil || res.Meta.ServerInfo().Name != gateway.ServerName {
		var got any
		if res.Meta != nil {
			got = res.Meta.ServerInfo()
		}
		t.Errorf("modern client: serverInfo %+v, want the gateway's", got)
	}
}
