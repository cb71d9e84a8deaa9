// Package options passes a per-call pool through a functional option (the
// MCP gateway's bug): the pool still dies with the call.
package options

import (
	"net/http"

	"optclient"
)

func forward(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{}} // want `forward creates a new HTTP transport per call and drops it`
	optclient.New("http://upstream", optclient.WithHTTPClient(c)).Call()
}

// An option that keeps the client: quiet.
func register(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{}}
	optclient.New("http://upstream", optclient.WithRegisteredClient(c)).Call()
}
