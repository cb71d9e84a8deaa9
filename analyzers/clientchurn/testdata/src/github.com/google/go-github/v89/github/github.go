// Package github is a stub of go-github v89's client constructor: it
// clones the transport only for WithEnvProxy.
package github

import (
	"errors"
	"net/http"
)

type Client struct{ client *http.Client }

type clientOptions struct {
	httpClient *http.Client
	envProxy   bool
}

type ClientOptionsFunc func(*clientOptions) error

func WithHTTPClient(httpClient *http.Client) ClientOptionsFunc {
	return func(o *clientOptions) error {
		if httpClient == nil {
			return errors.New("http client must not be nil")
		}
		c := *httpClient
		o.httpClient = &c
		return nil
	}
}

func WithEnvProxy() ClientOptionsFunc {
	return func(o *clientOptions) error {
		o.envProxy = true
		return nil
	}
}

func NewClient(opts ...ClientOptionsFunc) (*Client, error) {
	o := clientOptions{}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	return newClient(o)
}

func newClient(opts clientOptions) (*Client, error) {
	c := &Client{}
	if opts.httpClient != nil {
		c.client = opts.httpClient
	} else {
		c.client = &http.Client{}
	}
	if opts.envProxy {
		transport := c.client.Transport
		if transport == nil {
			transport = http.DefaultTransport
		}
		t, ok := transport.(*http.Transport)
		if !ok {
			return nil, errors.New("cannot set environment proxy on non-http transport")
		}
		t2 := t.Clone()
		c.client.Transport = t2
	}
	return c, nil
}

func (c *Client) Get(url string) (*http.Response, error) { return c.client.Get(url) }
