package gateway_test

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// A failing plugin's error (here: its moderation endpoint is down) names
// internal hosts and ports. The client gets a generic message with a
// request id, for tools, resources and prompts; the log has the detail
// under the same id.
func TestPluginErrorsDoNotLeak(t *testing.T) {
	modAddr := closedAddr(t)
	gw := admissionGateway(t, `plugins:
  - name: mod
    type: moderation
    config: {endpoint: "http://`+modAddr+`/moderate", kinds: [tool, resource, prompt]}`)
	c := connect(t, gw.URL+"/mcp", adminToken)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var texts []string
	res := callTool(t, c, "alpha__echo", map[string]any{"message": "hi"})
	if !res.IsError {
		t.Fatalf("call passed a failing enforce/fail plugin: %s", resultText(res))
	}
	texts = append(texts, resultText(res))
	_, err := c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "alpha__demo://greeting"}})
	if err == nil {
		t.Fatal("resource read passed a failing plugin")
	}
	texts = append(texts, err.Error())
	_, err = c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: "alpha__greet", Arguments: map[string]string{"name": "x"}}})
	if err == nil {
		t.Fatal("prompt get passed a failing plugin")
	}
	texts = append(texts, err.Error())

	idPattern := regexp.MustCompile(`plugin mod failed \(request id ([0-9a-f]{16})\)`)
	logs := gw.logs.String()
	for _, text := range texts {
		if strings.Contains(text, modAddr) || strings.Contains(text, "dial") || strings.Contains(text, "127.0.0.1") {
			t.Errorf("client sees internal detail: %s", text)
		}
		m := idPattern.FindStringSubmatch(text)
		if m == nil {
			t.Errorf("client message %q has no request id", text)
			continue
		}
		if !regexp.MustCompile(`request_id=` + m[1] + `.*` + regexp.QuoteMeta(modAddr)).MatchString(logs) {
			t.Errorf("log has no detail for request id %s", m[1])
		}
	}
}
