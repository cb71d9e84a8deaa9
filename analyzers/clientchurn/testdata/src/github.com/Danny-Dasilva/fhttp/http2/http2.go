// Package http2 is a stub of github.com/Danny-Dasilva/fhttp/http2, the
// fork's HTTP/2 transport.
package http2

import (
	"net"

	http "github.com/Danny-Dasilva/fhttp"
)

type Transport struct {
	Navigator string
	conns     []*ClientConn
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{}, nil
}
func (t *Transport) CloseIdleConnections() { t.conns = nil }

// NewClientConn runs HTTP/2 on c; the connection is not added to the
// transport's pool.
func (t *Transport) NewClientConn(c net.Conn) (*ClientConn, error) { return &ClientConn{c: c}, nil }

type ClientConn struct{ c net.Conn }

func (cc *ClientConn) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{}, nil
}
