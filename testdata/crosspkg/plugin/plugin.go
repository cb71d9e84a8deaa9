// Package plugin implements store.Backend with a client per Open.
package plugin

import (
	"net/http"

	"example.com/crosspkg/store"
)

func init() { store.Register(remote{}) }

type remote struct{}

type conn struct{ c *http.Client }

func (c conn) Fetch(path string) error {
	resp, err := c.c.Get("http://backend" + path)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// Open builds a client with its own transport for every connection.
func (remote) Open(name string) (store.Conn, error) {
	return conn{c: &http.Client{Transport: &http.Transport{}}}, nil
}
