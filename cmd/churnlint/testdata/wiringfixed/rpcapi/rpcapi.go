// Package rpcapi declares the factory that main hands to the client
// factory (temporal's common.RPCFactory): neither its implementation nor
// its callers import each other.
package rpcapi

import "net/http"

// RPCFactory makes clients to the other services.
type RPCFactory interface {
	FrontendClient(addr string) *http.Client
}
