// Package http2 is a stub of golang.org/x/net/http2: ConfigureTransports
// registers an HTTP/2 transport on t1 that shares t1's connections.
package http2

import (
	"net/http"
	"time"
)

type Transport struct {
	ReadIdleTimeout time.Duration
	AllowHTTP       bool
	t1              *http.Transport
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) { return t.t1.RoundTrip(req) }

func ConfigureTransports(t1 *http.Transport) (*Transport, error) {
	t2 := &Transport{t1: t1}
	t1.RegisterProtocol("h2", t2)
	return t2, nil
}
