// Package demoupstream is a small MCP server used by the demo command and
// by the gateway's tests: tools echo, add and sleep, a static resource, a
// resource template and a prompt.
package demoupstream

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// MaxSleep caps the sleep tool so that a demo call cannot hang a client.
const MaxSleep = 60 * time.Second

// New returns the demo server. name appears in its server info and in the
// echo output, so tests can tell upstreams apart.
func New(name string) *server.MCPServer {
	s := server.NewMCPServer(name, "1.0.0",
		server.WithToolCapabilities(true),
		server.WithResourceCapabilities(false, true),
		server.WithPromptCapabilities(true),
		server.WithRecovery(),
	)
	s.AddTool(mcp.NewTool("echo",
		mcp.WithDescription("Echo the message back."),
		mcp.WithString("message", mcp.Required(), mcp.Description("Text to echo.")),
	), func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		msg, err := req.RequireString("message")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return mcp.NewToolResultText(msg), nil
	})
	s.AddTool(mcp.NewTool("add",
		mcp.WithDescription("Add two numbers."),
		mcp.WithNumber("a", mcp.Required()),
		mcp.WithNumber("b", mcp.Required()),
	), func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a, err := req.RequireFloat("a")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		b, err := req.RequireFloat("b")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return mcp.NewToolResultText(fmt.Sprint(a + b)), nil
	})
	s.AddTool(mcp.NewTool("sleep",
		mcp.WithDescription("Sleep for ms milliseconds (max 60000), then answer."),
		mcp.WithNumber("ms", mcp.Required()),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ms, err := req.RequireFloat("ms")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		d := min(time.Duration(ms)*time.Millisecond, MaxSleep)
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return mcp.NewToolResultText(fmt.Sprintf("slept %s", d)), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	s.AddResource(mcp.NewResource("demo://greeting", "greeting",
		mcp.WithResourceDescription("A friendly greeting."),
		mcp.WithMIMEType("text/plain"),
	), func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return []mcp.ResourceContents{mcp.TextResourceContents{
			URI: req.Params.URI, MIMEType: "text/plain", Text: "hello from " + name,
		}}, nil
	})
	s.AddResourceTemplate(mcp.NewResourceTemplate("demo://items/{id}", "item",
		mcp.WithTemplateDescription("An item by id."),
		mcp.WithTemplateMIMEType("text/plain"),
	), func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id := strings.TrimPrefix(req.Params.URI, "demo://items/")
		return []mcp.ResourceContents{mcp.TextResourceContents{
			URI: req.Params.URI, MIMEType: "text/plain", Text: "item " + id,
		}}, nil
	})
	s.AddPrompt(mcp.NewPrompt("greet",
		mcp.WithPromptDescription("Greet someone."),
		mcp.WithArgument("name", mcp.RequiredArgument(), mcp.ArgumentDescription("Who to greet.")),
	), func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		who := req.Params.Arguments["name"]
		return mcp.NewGetPromptResult("A greeting", []mcp.PromptMessage{
			mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("Please greet "+who+" warmly.")),
		}), nil
	})
	return s
}
