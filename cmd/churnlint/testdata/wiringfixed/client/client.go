// Package client is the client factory of the handlers (temporal's
// client.Factory): it hands back what the RPC factory it is given returns.
package client

import (
	"net/http"

	"example.com/wiringfixed/rpcapi"
)

// Factory makes admin clients.
type Factory interface {
	NewRemoteAdminClient(addr string) *AdminClient
}

// AdminClient talks to another cluster's admin service.
type AdminClient struct {
	http *http.Client
	addr string
}

// Describe asks the other cluster for its description.
func (c *AdminClient) Describe() error {
	resp, err := c.http.Get("http://" + c.addr + "/describe")
	if err == nil {
		resp.Body.Close()
	}
	return err
}

type rpcClientFactory struct{ rpc rpcapi.RPCFactory }

// NewFactory is called once, by main.
func NewFactory(rpc rpcapi.RPCFactory) Factory { return &rpcClientFactory{rpc: rpc} }

func (cf *rpcClientFactory) NewRemoteAdminClient(addr string) *AdminClient {
	return &AdminClient{http: cf.rpc.FrontendClient(addr), addr: addr}
}
