// Package sharedinst is in the shape of docker/mcp-gateway's pkg/desktop:
// one RawClient shared as a package variable, whose client field builds a
// new client on its own transport every time Get or Post calls it.
package sharedinst

import (
	"context"
	"net"
	"net/http"
)

var ClientBackend = newRawClient(dialBackend)

func dialBackend(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", "/run/backend.sock")
}

type RawClient struct {
	client func() *http.Client
}

func newRawClient(dialer func(ctx context.Context) (net.Conn, error)) *RawClient {
	return &RawClient{
		client: func() *http.Client {
			return &http.Client{
				Transport: &http.Transport{
					DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return dialer(ctx) },
				},
			}
		},
	}
}

func (c *RawClient) Get(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://localhost"+endpoint, http.NoBody)
	if err != nil {
		return err
	}
	resp, err := c.client().Do(req) // want `RawClient.Get creates a new HTTP transport per call and drops it.*RawClient.Get is an operation of a reusable value, called again and again by its users \(shared as sharedinst.ClientBackend\).*the same pool is also made per call here: RawClient.Post creates`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// IsRunning asks the backend whether it runs: every caller of it makes a
// new pool, reported once, above.
func IsRunning(ctx context.Context) bool { return ClientBackend.Get(ctx, "/ping") == nil }

// Shared is a value shared the same way whose Get uses one client.
var Shared = &SharedClient{hc: &http.Client{Transport: &http.Transport{}}}

type SharedClient struct{ hc *http.Client }

func (c *SharedClient) Get(ctx context.Context, endpoint string) error {
	resp, err := c.hc.Get("http://localhost" + endpoint)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *RawClient) Post(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://localhost"+endpoint, http.NoBody)
	if err != nil {
		return err
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
