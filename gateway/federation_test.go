package gateway_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

// TestFederation: two upstreams (streamable HTTP and legacy SSE) appear
// through one endpoint with namespaced tools, resources, templates and
// prompts; per-upstream filters apply.
func TestFederation(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	beta := upstreamtest.New(t, "beta", upstreamtest.SSE).Start()
	cfg := renderConfig(t, []upstreamSpec{
		{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"},
		{Name: "beta", URL: beta.URL(), Transport: "sse", Extra: "    tools: {deny: [sleep]}\n    prompts: {allow: [nothing]}"},
	}, "")
	gw := startGateway(t, cfg)
	c := connect(t, gw.URL+"/mcp", adminToken)

	want := []string{"alpha__add", "alpha__echo", "alpha__sleep", "beta__add", "beta__echo"}
	eventually(t, 10*time.Second, "federated tool list", func() bool {
		return slices.Equal(toolNames(t, c), want)
	})

	if got := resultText(callTool(t, c, "alpha__add", map[string]any{"a": 2, "b": 3})); got != "5" {
		t.Fatalf("alpha__add = %q", got)
	}
	if got := resultText(callTool(t, c, "beta__echo", map[string]any{"message": "hi"})); got != "hi" {
		t.Fatalf("beta__echo = %q", got)
	}
	// A filtered tool is not just hidden: it cannot be called.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "beta__sleep"
	req.Params.Arguments = map[string]any{"ms": 1}
	if _, err := c.CallTool(ctx, req); err == nil {
		t.Fatal("calling a denied tool succeeded")
	}

	// Resources are namespaced by URI prefix, in listings and in contents.
	res, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, r := range res.Resources {
		uris = append(uris, r.URI)
	}
	slices.Sort(uris)
	if !slices.Equal(uris, []string{"alpha__demo://greeting", "beta__demo://greeting"}) {
		t.Fatalf("resources = %v", uris)
	}
	rr := mcp.ReadResourceRequest{}
	rr.Params.URI = "beta__demo://greeting"
	read, err := c.ReadResource(ctx, rr)
	if err != nil {
		t.Fatal(err)
	}
	tc, ok := mcp.AsTextResourceContents(read.Contents[0])
	if !ok || tc.Text != "hello from beta" || tc.URI != "beta__demo://greeting" {
		t.Fatalf("read = %+v", read.Contents[0])
	}
	// Templates too.
	tpls, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tpls.ResourceTemplates) != 2 {
		t.Fatalf("templates = %d", len(tpls.ResourceTemplates))
	}
	rr.Params.URI = "alpha__demo://items/42"
	read, err = c.ReadResource(ctx, rr)
	if err != nil {
		t.Fatal(err)
	}
	if tc, _ := mcp.AsTextResourceContents(read.Contents[0]); tc == nil || tc.Text != "item 42" {
		t.Fatalf("template read = %+v", read.Contents[0])
	}

	// Prompts: beta's are filtered out by its allow list.
	prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(prompts.Prompts) != 1 || prompts.Prompts[0].Name != "alpha__greet" {
		t.Fatalf("prompts = %+v", prompts.Prompts)
	}
	pr := mcp.GetPromptRequest{}
	pr.Params.Name = "alpha__greet"
	pr.Params.Arguments = map[string]string{"name": "Ada"}
	got, err := c.GetPrompt(ctx, pr)
	if err != nil {
		t.Fatal(err)
	}
	if tc, _ := mcp.AsTextContent(got.Messages[0].Content); tc == nil || tc.Text != "Please greet Ada warmly." {
		t.Fatalf("prompt = %+v", got.Messages)
	}
}
