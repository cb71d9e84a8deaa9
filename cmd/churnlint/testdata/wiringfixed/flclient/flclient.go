// Package flclient makes the clients the reconciler talks to
// (cluster-api-provider-microvm's internal/client).
package flclient

import "net/http"

// MicroVMClient is the generated client's interface.
type MicroVMClient interface {
	Get(id string) error
	Close() error
}

// FactoryFunc makes a client; main sets the reconciler's field to
// NewClient.
type FactoryFunc func(address string) (MicroVMClient, error)

type httpClient struct {
	http *http.Client
	addr string
}

func (c *httpClient) Get(id string) error {
	resp, err := c.http.Get("http://" + c.addr + "/microvm/" + id)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// Close releases the client's connections (the fix's disposable client).
func (c *httpClient) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// NewClient connects to a host with a transport of its own.
func NewClient(address string) (MicroVMClient, error) {
	return &httpClient{http: &http.Client{Transport: &http.Transport{}}, addr: address}, nil
}
