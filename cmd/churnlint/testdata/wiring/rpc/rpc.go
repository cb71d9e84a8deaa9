// Package rpc implements rpcapi.RPCFactory; it imports neither the client
// factory nor the handlers that end up calling it.
package rpc

import (
	"net/http"
	"time"
)

// Factory is main's RPC factory.
type Factory struct{ timeout time.Duration }

// NewFactory is called once, by main.
func NewFactory(timeout time.Duration) *Factory { return &Factory{timeout: timeout} }

// FrontendClient builds a client with its own transport on every
// call.
func (f *Factory) FrontendClient(addr string) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: f.timeout}
}
