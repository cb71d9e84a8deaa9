// Package acme is a stub of a library whose client hides its pool behind
// an interface.
package acme

import "net/http"

type Client interface {
	Get(url string) (*http.Response, error)
}

type client struct{ http *http.Client }

func NewClient() Client { return &client{http: &http.Client{Transport: &http.Transport{}}} }

func (c *client) Get(url string) (*http.Response, error) { return c.http.Get(url) }
