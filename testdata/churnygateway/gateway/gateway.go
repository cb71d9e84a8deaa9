// Package gateway is a small MCP gateway with the connection churn of the
// original bug report: it serves an mcp-go server downstream (streamable
// HTTP on /mcp) and forwards every tool call, resource read and prompt get
// to one upstream MCP server through a client factory that builds a new
// http.Client with its own transport on every call, and drops it.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Separator joins the upstream's name and an upstream-side name.
const Separator = "__"

// callTimeout bounds one forwarded operation.
const callTimeout = 30 * time.Second

var clientInfo = mcp.Implementation{Name: "churnygateway", Version: "0.1.0"}

// Forwarder talks to the upstream MCP server.
type Forwarder struct {
	newClient func() *http.Client
	upstream  string
}

// NewForwarder returns a forwarder to the streamable-HTTP MCP endpoint u.
func NewForwarder(u string) *Forwarder {
	return &Forwarder{newClient: makeUpstreamClient, upstream: u}
}

// makeUpstreamClient builds the HTTP client used to reach the upstream: a
// generously tuned pool... that nobody ever reuses.
func makeUpstreamClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}}
}

// session opens an MCP client session to the upstream on a fresh HTTP
// client and initialises it. Nothing closes it: it is dropped after use.
func (f *Forwarder) session(ctx context.Context) (*client.Client, error) {
	c := f.newClient()
	tr, err := transport.NewStreamableHTTP(f.upstream, transport.WithHTTPBasicClient(c))
	if err != nil {
		return nil, err
	}
	mc := client.NewClient(tr)
	if err := mc.Start(ctx); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if _, err := mc.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: clientInfo}}); err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	return mc, nil
}

// CallTool forwards one tool call.
func (f *Forwarder) CallTool(ctx context.Context, name string, args map[string]any) (*mcp.CallToolResult, error) {
	mc, err := f.session(ctx)
	if err != nil {
		return nil, err
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return mc.CallTool(ctx, req)
}

// ReadResource forwards one resource read.
func (f *Forwarder) ReadResource(ctx context.Context, uri string) ([]mcp.ResourceContents, error) {
	mc, err := f.session(ctx)
	if err != nil {
		return nil, err
	}
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := mc.ReadResource(ctx, req)
	if err != nil {
		return nil, err
	}
	return res.Contents, nil
}

// GetPrompt forwards one prompt get.
func (f *Forwarder) GetPrompt(ctx context.Context, name string, args map[string]string) (*mcp.GetPromptResult, error) {
	mc, err := f.session(ctx)
	if err != nil {
		return nil, err
	}
	req := mcp.GetPromptRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return mc.GetPrompt(ctx, req)
}

// Catalog is what the upstream offers.
type Catalog struct {
	Tools     []mcp.Tool
	Resources []mcp.Resource
	Prompts   []mcp.Prompt
}

// LoadCatalog lists the upstream's tools, resources and prompts once, at
// startup.
func (f *Forwarder) LoadCatalog(ctx context.Context) (Catalog, error) {
	var cat Catalog
	mc, err := f.session(ctx)
	if err != nil {
		return cat, err
	}
	tools, err := mc.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		return cat, fmt.Errorf("tools/list: %w", err)
	}
	cat.Tools = tools.Tools
	caps := mc.GetServerCapabilities()
	if caps.Resources != nil {
		res, err := mc.ListResources(ctx, mcp.ListResourcesRequest{})
		if err != nil {
			return cat, fmt.Errorf("resources/list: %w", err)
		}
		cat.Resources = res.Resources
	}
	if caps.Prompts != nil {
		prompts, err := mc.ListPrompts(ctx, mcp.ListPromptsRequest{})
		if err != nil {
			return cat, fmt.Errorf("prompts/list: %w", err)
		}
		cat.Prompts = prompts.Prompts
	}
	return cat, nil
}

// Hook is what the gateway runs around every forwarded tool call.
type Hook interface {
	Init(ctx context.Context) error
	Before(ctx context.Context, tool string, args map[string]any) error
	After(ctx context.Context, tool string, res *mcp.CallToolResult, err error)
}

// Gateway is the downstream MCP server in front of one upstream.
type Gateway struct {
	Name    string // the upstream's name, the prefix of every downstream name
	fwd     *Forwarder
	hooks   []Hook
	server  *server.MCPServer
	handler *server.StreamableHTTPServer
	logger  *slog.Logger
}

// New returns a gateway that forwards to the MCP endpoint upstreamURL and
// names everything "<name>__<upstream name>".
func New(name, upstreamURL string, logger *slog.Logger, hooks ...Hook) *Gateway {
	if logger == nil {
		logger = slog.Default()
	}
	g := &Gateway{Name: name, fwd: NewForwarder(upstreamURL), hooks: hooks, logger: logger}
	g.server = server.NewMCPServer("churnygateway", "0.1.0",
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
		server.WithRecovery(),
	)
	g.handler = server.NewStreamableHTTPServer(g.server)
	return g
}

// Start initialises the hooks and publishes the upstream's catalog.
func (g *Gateway) Start(ctx context.Context) error {
	for _, h := range g.hooks {
		if err := h.Init(ctx); err != nil {
			return fmt.Errorf("plugin init: %w", err)
		}
	}
	cat, err := g.fwd.LoadCatalog(ctx)
	if err != nil {
		return fmt.Errorf("upstream catalog: %w", err)
	}
	for _, t := range cat.Tools {
		upstreamName := t.Name
		t.Name = g.Name + Separator + upstreamName
		g.server.AddTool(t, g.callTool(upstreamName))
	}
	for _, r := range cat.Resources {
		upstreamURI := r.URI
		r.URI = g.Name + Separator + upstreamURI
		g.server.AddResource(r, g.readResource(upstreamURI))
	}
	for _, p := range cat.Prompts {
		upstreamName := p.Name
		p.Name = g.Name + Separator + upstreamName
		g.server.AddPrompt(p, g.getPrompt(upstreamName))
	}
	g.logger.Info("upstream catalog published", "tools", len(cat.Tools), "resources", len(cat.Resources), "prompts", len(cat.Prompts))
	return nil
}

func (g *Gateway) callTool(upstreamName string) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		args := req.GetArguments()
		for _, h := range g.hooks {
			if err := h.Before(ctx, req.Params.Name, args); err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
		}
		res, err := g.fwd.CallTool(ctx, upstreamName, args)
		for _, h := range g.hooks {
			h.After(ctx, req.Params.Name, res, err)
		}
		if err != nil {
			return mcp.NewToolResultError("upstream: " + err.Error()), nil
		}
		return res, nil
	}
}

func (g *Gateway) readResource(upstreamURI string) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		contents, err := g.fwd.ReadResource(ctx, upstreamURI)
		if err != nil {
			return nil, err
		}
		// Downstream clients know the resource by its namespaced URI.
		for i, c := range contents {
			if t, ok := c.(mcp.TextResourceContents); ok && t.URI == upstreamURI {
				t.URI = req.Params.URI
				contents[i] = t
			}
		}
		return contents, nil
	}
}

func (g *Gateway) getPrompt(upstreamName string) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		return g.fwd.GetPrompt(ctx, upstreamName, req.Params.Arguments)
	}
}

// ServeHTTP serves the MCP endpoint.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.handler.ServeHTTP(w, r)
}

// Shutdown ends the downstream sessions and shuts down the hooks that have
// a Shutdown method.
func (g *Gateway) Shutdown(ctx context.Context) error {
	errs := []error{g.handler.Shutdown(ctx)}
	for _, h := range g.hooks {
		if s, ok := h.(interface{ Shutdown(context.Context) error }); ok {
			errs = append(errs, s.Shutdown(ctx))
		}
	}
	return errors.Join(errs...)
}
