package gateway_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

const readerToken = "reader-token-0123456789"

func listed(t *testing.T, c *client.Client) (resources, templates, prompts []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rs, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Resources {
		resources = append(resources, r.URI)
	}
	ts, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range ts.ResourceTemplates {
		templates = append(templates, tp.URITemplate.Raw())
	}
	ps, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.Prompts {
		prompts = append(prompts, p.Name)
	}
	return resources, templates, prompts
}

func getPrompt(c *client.Client, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: name, Arguments: map[string]string{"name": "x"}}})
	return err
}

// Per-token allowlists cover resources (URI globs, matched normalised) and
// prompts as well as tools; a token restricted in one kind ("math only")
// gets nothing of the kinds its allowlists leave out.
func TestAllowlistsCoverResourcesAndPrompts(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, "")
	cfg.Auth.Tokens = append(cfg.Auth.Tokens, config.Token{Name: "reader", Token: readerToken,
		AllowedResources: []string{"alpha__demo://items/public*"}, AllowedPrompts: []string{"alpha__greet"}})
	gw := startGateway(t, cfg)

	admin := connect(t, gw.URL+"/mcp", adminToken)
	if r, tp, p := listed(t, admin); len(r) != 1 || len(tp) != 1 || len(p) != 1 {
		t.Fatalf("admin sees resources %v, templates %v, prompts %v", r, tp, p)
	}

	math := connect(t, gw.URL+"/mcp", mathToken)
	if r, tp, p := listed(t, math); len(r)+len(tp)+len(p) != 0 {
		t.Errorf("math-only token lists resources %v, templates %v, prompts %v", r, tp, p)
	}
	if got, err := readResource(math, "alpha__demo://greeting"); err == nil {
		t.Errorf("math-only token read a resource: %q", got)
	}
	if err := getPrompt(math, "alpha__greet"); err == nil {
		t.Error("math-only token got a prompt")
	}

	reader := connect(t, gw.URL+"/mcp", readerToken)
	if got := toolNames(t, reader); len(got) != 0 {
		t.Errorf("reader lists tools %v", got)
	}
	if _, _, p := listed(t, reader); !slices.Equal(p, []string{"alpha__greet"}) {
		t.Errorf("reader lists prompts %v", p)
	}
	if err := getPrompt(reader, "alpha__greet"); err != nil {
		t.Errorf("reader's prompt: %v", err)
	}
	if got, err := readResource(reader, "alpha__demo://items/public1"); err != nil || got != "item public1" {
		t.Errorf("reader's resource: %q %v", got, err)
	}
	for _, uri := range []string{"alpha__demo://greeting", "alpha__demo://items/secret", "alpha__demo://items/%73ecret"} {
		if got, err := readResource(reader, uri); err == nil {
			t.Errorf("reader read %s: %q", uri, got)
		}
	}
}
