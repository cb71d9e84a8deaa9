package unseen

import (
	"context"
	"net/http"
	"sync"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// ProxiedClient is an MCP client to one remote server, kept for every tool
// call proxied to it (mcp-grafana's proxied_client.go): the transport it
// makes goes into mcp-go's StreamableHTTP through a functional option, and
// the StreamableHTTP into the client it keeps.
type ProxiedClient struct {
	client *mcpclient.Client
}

func NewProxiedClient(ctx context.Context, endpoint string) (*ProxiedClient, error) {
	rt := http.DefaultTransport.(*http.Transport).Clone()
	tr, err := transport.NewStreamableHTTP(endpoint, transport.WithHTTPBasicClient(&http.Client{Transport: rt}))
	if err != nil {
		return nil, err
	}
	c := mcpclient.NewClient(tr)
	if err := c.Initialize(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return &ProxiedClient{client: c}, nil
}

func (p *ProxiedClient) Close() error { return p.client.Close() }

// proxies keeps one ProxiedClient per datasource, made on first use in a
// session.
type proxies struct {
	mu      sync.Mutex
	clients map[string]*ProxiedClient
}

func (ps *proxies) get(ctx context.Context, uid, endpoint string) (*ProxiedClient, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if c := ps.clients[uid]; c != nil {
		return c, nil
	}
	c, err := NewProxiedClient(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	ps.clients[uid] = c
	return c, nil
}

// ProxyToolHandler runs per tool call and reuses the kept client: quiet.
func (ps *proxies) ProxyToolHandler(w http.ResponseWriter, r *http.Request) {
	c, err := ps.get(r.Context(), r.FormValue("uid"), r.FormValue("endpoint"))
	if err != nil {
		return
	}
	_, _ = c.client.CallTool(r.Context(), mcp.CallToolRequest{Name: r.FormValue("tool")})
}

// OneShotToolHandler makes a client per tool call and drops it: the
// transport inside the option is per call.
func OneShotToolHandler(w http.ResponseWriter, r *http.Request) {
	tr, _ := transport.NewStreamableHTTP(r.FormValue("endpoint"), transport.WithHTTPHeaders(nil), transport.WithHTTPBasicClient(&http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})) // want `OneShotToolHandler creates a new HTTP transport per call and drops it`
	c := mcpclient.NewClient(tr)
	_, _ = c.CallTool(r.Context(), mcp.CallToolRequest{Name: r.FormValue("tool")})
}
