// Package optclient is shaped like mcp-go's transport: the HTTP client is
// handed over through a functional option applied by the constructor.
package optclient

import "net/http"

type Transport struct {
	url string
	hc  *http.Client
}

type Option func(*Transport)

// WithHTTPClient returns an option that stores c in the transport.
func WithHTTPClient(c *http.Client) Option {
	return func(t *Transport) { t.hc = c }
}

var registered []*http.Client

// WithRegisteredClient keeps c for the life of the process.
func WithRegisteredClient(c *http.Client) Option {
	return func(t *Transport) { registered = append(registered, c) }
}

func New(url string, opts ...Option) *Transport {
	t := &Transport{url: url}
	for _, o := range opts {
		o(t)
	}
	return t
}

func (t *Transport) Call() error {
	_, err := t.hc.Get(t.url)
	return err
}
