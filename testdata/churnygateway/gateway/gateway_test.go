package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"example.com/churnygateway/gateway"
	"example.com/churnygateway/plugins"
)

// upstream serves a small in-process MCP server: tool echo, resource
// test://hello and prompt greet.
func upstream(t *testing.T) *httptest.Server {
	t.Helper()
	s := server.NewMCPServer("upstream", "1.0.0",
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
	)
	s.AddTool(mcp.NewTool("echo", mcp.WithString("message", mcp.Required())),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			msg, err := req.RequireString("message")
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			return mcp.NewToolResultText(msg), nil
		})
	s.AddResource(mcp.NewResource("test://hello", "hello", mcp.WithMIMEType("text/plain")),
		func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "text/plain", Text: "hello"}}, nil
		})
	s.AddPrompt(mcp.NewPrompt("greet", mcp.WithArgument("name", mcp.RequiredArgument())),
		func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return mcp.NewGetPromptResult("greeting", []mcp.PromptMessage{
				mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("greet "+req.Params.Arguments["name"])),
			}), nil
		})
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(s))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// auditSink records the audit plugin's webhook events.
type auditSink struct {
	mu     sync.Mutex
	events []map[string]any
}

func (a *auditSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev map[string]any
	if json.Unmarshal(body, &ev) == nil {
		a.mu.Lock()
		a.events = append(a.events, ev)
		a.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *auditSink) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.events)
}

func TestForwarding(t *testing.T) {
	up := upstream(t)
	sink := &auditSink{}
	audit := httptest.NewServer(sink)
	t.Cleanup(audit.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g := gateway.New("up", up.URL+"/mcp", nil,
		plugins.NewModeration("", "forbidden-word"),
		plugins.NewAudit(audit.URL),
	)
	if err := g.Start(ctx); err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(g)
	t.Cleanup(gw.Close)
	t.Cleanup(func() {
		if err := g.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})

	tr, err := transport.NewStreamableHTTP(gw.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{}); err != nil {
		t.Fatal(err)
	}

	tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil || len(tools.Tools) != 1 || tools.Tools[0].Name != "up__echo" {
		t.Fatalf("tools/list: %v %+v", err, tools)
	}

	for i := range 3 {
		req := mcp.CallToolRequest{}
		req.Params.Name = "up__echo"
		req.Params.Arguments = map[string]any{"message": "hello"}
		res, err := c.CallTool(ctx, req)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if res.IsError || len(res.Content) != 1 || res.Content[0].(mcp.TextContent).Text != "hello" {
			t.Fatalf("call %d: unexpected result %+v", i, res)
		}
	}

	req := mcp.CallToolRequest{}
	req.Params.Name = "up__echo"
	req.Params.Arguments = map[string]any{"message": "a forbidden-word here"}
	res, err := c.CallTool(ctx, req)
	if err != nil || !res.IsError {
		t.Fatalf("moderated call: err %v, result %+v; want a tool error", err, res)
	}

	rr := mcp.ReadResourceRequest{}
	rr.Params.URI = "up__test://hello"
	read, err := c.ReadResource(ctx, rr)
	if err != nil || len(read.Contents) != 1 || read.Contents[0].(mcp.TextResourceContents).Text != "hello" {
		t.Fatalf("resources/read: %v %+v", err, read)
	}

	pr := mcp.GetPromptRequest{}
	pr.Params.Name = "up__greet"
	pr.Params.Arguments = map[string]string{"name": "Ada"}
	prompt, err := c.GetPrompt(ctx, pr)
	if err != nil || len(prompt.Messages) != 1 || !strings.Contains(prompt.Messages[0].Content.(mcp.TextContent).Text, "Ada") {
		t.Fatalf("prompts/get: %v %+v", err, prompt)
	}

	if n := sink.count(); n != 3 {
		t.Errorf("audit events: got %d, want 3 (one per forwarded call)", n)
	}
}
