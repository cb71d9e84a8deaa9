package churn

import (
	"context"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
)

type Exporter struct{ url string }

// Gather runs on every scrape.
func (e *Exporter) Gather() error {
	c := &http.Client{Transport: &http.Transport{}} // want `Exporter.Gather creates a new HTTP transport per call and drops it; create it once and reuse it`
	_, err := c.Get(e.url)
	return err
}

type Reconciler struct{}

type Request struct{ Name string }

func (r *Reconciler) Reconcile(ctx context.Context, req Request) error {
	return r.probe(req.Name)
}

func (r *Reconciler) probe(name string) error {
	t := http.DefaultTransport.(*http.Transport).Clone() // want `Reconciler.probe creates a new HTTP transport per call and drops it; create it once and reuse it`
	_, err := t.RoundTrip(&http.Request{})
	return err
}

type Provider struct{}

func (p *Provider) refresh() {
	c := &http.Client{Transport: &http.Transport{}} // want `Provider.refresh creates a new HTTP transport per call and drops it`
	c.Get("http://example.com")
}

type Scraper struct{}

func (s Scraper) Scrape() {
	c := &http.Client{Transport: &http.Transport{}} // want `Scraper.Scrape creates a new HTTP transport per call`
	c.Get("http://example.com")
}

type FilterFactory struct{}

func (FilterFactory) CreateFilter() {
	c := &http.Client{Transport: &http.Transport{}} // want `FilterFactory.CreateFilter creates a new HTTP transport per call`
	c.Get("http://example.com")
}

// authTransport is a RoundTripper that builds a pool inside RoundTrip.
type authTransport struct{ token string }

func (a authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	inner := &http.Transport{} // want `authTransport.RoundTrip creates a new HTTP transport per call and drops it; create it once and reuse it`
	r.Header.Set("Authorization", a.token)
	return inner.RoundTrip(r)
}

// forwardTool is an MCP tool handler, called for every tools/call.
func forwardTool(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	c := &http.Client{Transport: &http.Transport{}} // want `forwardTool creates a new HTTP transport per call and drops it; create it once and reuse it`
	if _, err := c.Get("http://upstream/" + req.Name); err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{}, nil
}
