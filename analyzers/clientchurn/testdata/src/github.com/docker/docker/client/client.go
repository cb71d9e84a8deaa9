// Package client is a stub of github.com/docker/docker/client (v1.13): a
// client on the *http.Client it is given, or on a transport of its own when
// it is given nil.
package client

import (
	"context"
	"net/http"
)

// Client talks to a Docker daemon.
type Client struct {
	host   string
	client *http.Client
}

// NewClient returns a client for host; with a nil client it makes one on a
// new transport.
func NewClient(host string, version string, client *http.Client, httpHeaders map[string]string) (*Client, error) {
	if client != nil {
		if _, ok := client.Transport.(*http.Transport); !ok {
			return nil, nil
		}
	} else {
		transport := new(http.Transport)
		client = &http.Client{Transport: transport}
	}
	return &Client{host: host, client: client}, nil
}

// ContainerRemove removes a container.
func (c *Client) ContainerRemove(ctx context.Context, name string) error {
	_, err := c.client.Get(c.host + "/containers/" + name)
	return err
}
