// Package rpc implements rpcapi.RPCFactory with one shared client (the
// fixed twin of wiring/rpc).
package rpc

import (
	"net/http"
	"time"
)

// Factory is main's RPC factory.
type Factory struct{ client *http.Client }

// NewFactory is called once, by main: the one client is made here.
func NewFactory(timeout time.Duration) *Factory {
	return &Factory{client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: timeout}}
}

// FrontendClient hands out the shared client (temporal's fix
// caches one conn per address).
func (f *Factory) FrontendClient(addr string) *http.Client {
	return f.client
}
