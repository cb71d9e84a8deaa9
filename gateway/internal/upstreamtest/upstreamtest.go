// Package upstreamtest runs real mcp-go upstream servers on loopback for
// the gateway's tests, and lets tests stop and restart them on the same
// address.
package upstreamtest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/demoupstream"
)

// Transports.
const (
	Streamable = "streamable-http"
	SSE        = "sse"
)

// Upstream is a running (or stopped) demo MCP server.
type Upstream struct {
	t         testing.TB
	Name      string
	Transport string
	// MCP is the server itself; tests may add or delete tools on it.
	MCP  *server.MCPServer
	Addr string

	httpSrv    *http.Server
	streamable *server.StreamableHTTPServer
	sse        *server.SSEServer
	done       chan struct{}
	// Wrap, if set before Start, wraps the HTTP handler (e.g. to count or
	// delay requests).
	Wrap func(http.Handler) http.Handler
	// Conns counts the TCP connections the upstream accepted and holds.
	Conns demoupstream.ConnStats
}

// New creates a demo upstream; call Start to serve it.
func New(t testing.TB, name, transport string) *Upstream {
	return &Upstream{t: t, Name: name, Transport: transport, MCP: demoupstream.New(name), Addr: "127.0.0.1:0"}
}

// Start starts (or restarts, on the same address) the upstream. It
// registers a cleanup that stops it.
func (u *Upstream) Start() *Upstream {
	u.t.Helper()
	var ln net.Listener
	var err error
	// Re-binding the same port right after a close can briefly fail.
	for i := 0; i < 50; i++ {
		ln, err = net.Listen("tcp", u.Addr)
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		u.t.Fatalf("listen %s: %v", u.Addr, err)
	}
	u.Addr = ln.Addr().String()
	var h http.Handler
	switch u.Transport {
	case SSE:
		u.sse = server.NewSSEServer(u.MCP, server.WithBaseURL("http://"+u.Addr))
		h = u.sse
	default:
		u.streamable = server.NewStreamableHTTPServer(u.MCP)
		mux := http.NewServeMux()
		mux.Handle("/mcp", u.streamable)
		h = mux
	}
	if u.Wrap != nil {
		h = u.Wrap(h)
	}
	u.httpSrv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnState: u.Conns.ConnState}
	u.done = make(chan struct{})
	srv, done := u.httpSrv, u.done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			u.t.Logf("upstream %s: serve: %v", u.Name, err)
		}
	}()
	u.t.Cleanup(u.Stop)
	return u
}

// URL is the MCP endpoint URL.
func (u *Upstream) URL() string {
	if u.Transport == SSE {
		return "http://" + u.Addr + "/sse"
	}
	return "http://" + u.Addr + "/mcp"
}

// Stop kills the upstream abruptly, like a crash: open streams break.
func (u *Upstream) Stop() {
	if u.httpSrv == nil {
		return
	}
	if u.sse != nil {
		u.sse.CloseSessions()
	}
	if u.streamable != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = u.streamable.Shutdown(ctx)
		cancel()
	}
	_ = u.httpSrv.Close()
	<-u.done
	u.httpSrv, u.sse, u.streamable = nil, nil, nil
}
