// Package fhttp is a stub of github.com/Danny-Dasilva/fhttp, a fork of
// net/http that keeps its client API (Transport, Client, RoundTripper).
package fhttp

import (
	"context"
	"io"
	"net"
	"net/url"
	"time"
)

type Request struct {
	Method string
	URL    *url.URL
	Header map[string][]string
}

func NewRequest(method, target string, body io.Reader) (*Request, error) {
	u, err := url.Parse(target)
	return &Request{Method: method, URL: u}, err
}

type Response struct {
	StatusCode int
	Body       io.ReadCloser
}

type RoundTripper interface {
	RoundTrip(*Request) (*Response, error)
}

// Transport keeps idle connections, as net/http's does.
type Transport struct {
	DialContext    func(ctx context.Context, network, addr string) (net.Conn, error)
	DialTLSContext func(ctx context.Context, network, addr string) (net.Conn, error)
	idle           map[string][]net.Conn
}

func (t *Transport) RoundTrip(req *Request) (*Response, error) { return &Response{}, nil }
func (t *Transport) CloseIdleConnections()                     { t.idle = nil }
func (t *Transport) Clone() *Transport                         { return &Transport{DialContext: t.DialContext} }

type Client struct {
	Transport RoundTripper
	Timeout   time.Duration
}

func (c *Client) Do(req *Request) (*Response, error) { return c.Transport.RoundTrip(req) }

func (c *Client) CloseIdleConnections() {
	if t, ok := c.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}
