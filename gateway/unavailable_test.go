package gateway_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

// A configured upstream that is down from the start has no tools to
// register; calls into its namespace say it is unavailable instead of
// "tool not found". Names outside every namespace, and names the caller
// may not use, still get "not found".
func TestUpstreamDownAtStartSaysUnavailable(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	gw := startGatewayNoWait(t, renderConfig(t, []upstreamSpec{
		{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"},
		{Name: "beta", URL: "http://" + closedAddr(t) + "/mcp", Transport: "streamable-http"},
	}, ""))
	eventually(t, 10*time.Second, "alpha's tools", func() bool { return len(gw.Federation().ToolNames("main")) > 0 })
	c := connect(t, gw.URL+"/mcp", adminToken)

	res := callTool(t, c, "beta__echo", map[string]any{"message": "x"})
	if !res.IsError || resultText(res) != "upstream beta is unavailable" {
		t.Errorf("beta__echo: %q (error %v), want upstream beta is unavailable", resultText(res), res.IsError)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: "beta__greet"}})
	if err == nil || !strings.Contains(err.Error(), "upstream beta is unavailable") {
		t.Errorf("beta__greet: %v", err)
	}
	if _, err := readResource(c, "beta__demo://greeting"); err == nil || !strings.Contains(err.Error(), "upstream beta is unavailable") {
		t.Errorf("beta__demo://greeting: %v", err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "alpha__nope"
	if _, err := c.CallTool(ctx, req); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("alpha__nope on a live upstream: %v, want not found", err)
	}
	math := connect(t, gw.URL+"/mcp", mathToken)
	req.Params.Name = "beta__echo"
	if _, err := math.CallTool(ctx, req); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("beta__echo for a token without it: %v, want not found", err)
	}
}
