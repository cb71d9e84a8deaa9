// Package transport is a stub of github.com/mark3labs/mcp-go/client/transport:
// a transport configured by functional options applied in its constructor.
package transport

import (
	"context"
	"net/http"
)

// Interface is what a client speaks MCP over.
type Interface interface {
	Start(ctx context.Context) error
	Close() error
}

// StreamableHTTP speaks MCP over streamable HTTP with the client it is given.
type StreamableHTTP struct {
	serverURL  string
	httpClient *http.Client
	headers    map[string]string
}

// StreamableHTTPCOption configures a StreamableHTTP.
type StreamableHTTPCOption func(*StreamableHTTP)

// WithHTTPBasicClient makes the transport use client.
func WithHTTPBasicClient(client *http.Client) StreamableHTTPCOption {
	return func(sc *StreamableHTTP) {
		sc.httpClient = client
	}
}

// WithHTTPHeaders sets headers sent with every request.
func WithHTTPHeaders(headers map[string]string) StreamableHTTPCOption {
	return func(sc *StreamableHTTP) {
		sc.headers = headers
	}
}

// NewStreamableHTTP applies the options to a new transport and returns it.
func NewStreamableHTTP(serverURL string, options ...StreamableHTTPCOption) (*StreamableHTTP, error) {
	smc := &StreamableHTTP{serverURL: serverURL, httpClient: &http.Client{}, headers: make(map[string]string)}
	for _, opt := range options {
		if opt != nil {
			opt(smc)
		}
	}
	return smc, nil
}

func (c *StreamableHTTP) Start(ctx context.Context) error { return nil }

func (c *StreamableHTTP) Close() error { return nil }

// Do sends one request.
func (c *StreamableHTTP) Do(req *http.Request) (*http.Response, error) { return c.httpClient.Do(req) }
