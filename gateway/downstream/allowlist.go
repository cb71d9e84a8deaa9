package downstream

import (
	"context"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/auth"
)

// Per-caller allowlists for resources and prompts, beside allowedTools.
// mcp-go filters prompts both when listing and when getting; it has no
// resource filter, so listings are trimmed in after-list hooks (before the
// response is written) and reads are checked in readResource.

func allowedPrompts(ctx context.Context, prompts []mcp.Prompt) []mcp.Prompt {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil
	}
	if p.Prompts == nil {
		return prompts
	}
	return slices.DeleteFunc(slices.Clone(prompts), func(pr mcp.Prompt) bool { return !p.MayGetPrompt(pr.Name) })
}

func resourceHooks() *mcpserver.Hooks {
	h := &mcpserver.Hooks{}
	h.AddAfterListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		p, ok := auth.FromContext(ctx)
		if res == nil || ok && p.Resources == nil {
			return
		}
		res.Resources = slices.DeleteFunc(res.Resources, func(r mcp.Resource) bool { return !ok || !p.MayRead(r.URI) })
	})
	h.AddAfterListResourceTemplates(func(ctx context.Context, _ any, _ *mcp.ListResourceTemplatesRequest, res *mcp.ListResourceTemplatesResult) {
		p, ok := auth.FromContext(ctx)
		if res == nil || ok && p.Resources == nil {
			return
		}
		res.ResourceTemplates = slices.DeleteFunc(res.ResourceTemplates, func(t mcp.ResourceTemplate) bool {
			return !ok || t.URITemplate == nil || !p.MaySeeTemplate(t.URITemplate.Raw())
		})
	})
	return h
}

// mayRead applies the caller's resource allowlist to one read.
func mayRead(ctx context.Context, uri string) bool {
	p, ok := auth.FromContext(ctx)
	return ok && p.MayRead(uri)
}
