package pool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Direct is a pool of plain HTTP/1.1 connections to one upstream host on
// which the gateway's raw calls are written and their answers read on the
// calling goroutine. Through an *http.Transport every request is handed
// to the connection's write loop and its answer back from the read loop:
// two goroutine hand-offs each way, and on a lightly loaded machine a
// thread woken for each (what a CPU profile of the gateway shows as
// futex, findRunnable and the scheduler). Here the caller writes the
// request and reads the answer itself.
//
// It belongs to one pool (Transport): it counts its connections in the
// pool's metrics, keeps at most the pool's idle connections per host for
// the pool's idle timeout, opens at most the pool's connections per host
// (beyond which Post answers ErrDirectBusy and the caller uses the pool's
// client) and is closed with it. It serves only http:// URLs that no
// proxy is configured for, and no pool whose client tracing wraps.
type Direct struct {
	in          *Instrumentation
	addr        string // host:port dialled
	maxIdle     int
	maxConns    int // 0: no cap
	idleTimeout time.Duration
	probeAfter  time.Duration // directProbeAfter (tests shorten it)

	mu     sync.Mutex
	idle   []*directConn // most recently used last
	open   int
	closed bool
	sweep  *time.Timer // closes connections idle longer than idleTimeout
}

// directConn is one connection of a Direct.
type directConn struct {
	tc     *trackedConn
	br     *bufio.Reader
	wbuf   []byte
	idleAt time.Time
}

// ErrDirectBusy means every connection the cap allows is in use: nothing
// was sent.
var ErrDirectBusy = errors.New("pool: every direct connection is in use")

// errDirectClosed means the pool was closed: nothing was sent.
var errDirectClosed = errors.New("pool: closed")

// directProbeAfter is how long a connection may sit idle before it is
// checked (one non-blocking read) for a close by the upstream: a server
// that closes idle connections (Go's IdleTimeout, Node's 5 s keep-alive)
// would otherwise fail the next call sent on it. The transport's read
// loop notices the same close while the connection is idle.
const directProbeAfter = time.Second

// maxKeptWriteBuffer bounds the write buffer a connection keeps between
// requests.
const maxKeptWriteBuffer = 64 << 10

// DirectFor returns the Direct of the pool behind client for u's host, or
// nil when u cannot take it (not http://, a proxy applies, a client that
// is not a pool's own: tracing wraps it).
func DirectFor(client *http.Client, u *url.URL) *Direct {
	rt, ok := client.Transport.(*TracingRoundTripper)
	if !ok || u == nil || u.Scheme != "http" || u.Host == "" || u.User != nil {
		return nil
	}
	if rt.next.Proxy != nil {
		if p, err := rt.next.Proxy(&http.Request{Method: http.MethodPost, URL: u, Header: http.Header{}}); err != nil || p != nil {
			return nil
		}
	}
	if rt.next.DialContext == nil || rt.next.DialTLSContext != nil || rt.next.Dial != nil { //nolint:staticcheck // Dial is checked, not used
		return nil
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return rt.direct(addr)
}

// direct returns the Direct for addr, made on first use.
func (rt *TracingRoundTripper) direct(addr string) *Direct {
	rt.directMu.Lock()
	defer rt.directMu.Unlock()
	if d, ok := rt.directs[addr]; ok {
		return d
	}
	if rt.directs == nil {
		rt.directs = map[string]*Direct{}
	}
	maxIdle := rt.next.MaxIdleConnsPerHost
	if maxIdle <= 0 {
		maxIdle = http.DefaultMaxIdleConnsPerHost
	}
	d := &Direct{in: rt.in, addr: addr, maxIdle: maxIdle, maxConns: rt.next.MaxConnsPerHost,
		idleTimeout: rt.next.IdleConnTimeout, probeAfter: directProbeAfter}
	rt.directs[addr] = d
	return d
}

// closeDirectIdle closes the idle connections of every Direct of rt.
func (rt *TracingRoundTripper) closeDirectIdle() {
	rt.directMu.Lock()
	ds := make([]*Direct, 0, len(rt.directs))
	for _, d := range rt.directs {
		ds = append(ds, d)
	}
	rt.directMu.Unlock()
	for _, d := range ds {
		d.CloseIdle()
	}
}

// AppendRequestHead appends the request line and header of a POST to u
// with h (and the Host and a default User-Agent, as net/http writes
// them), each line ending in CRLF, without Content-Length and the blank
// line: what Post takes. Names and values are checked as net/http checks
// them.
func AppendRequestHead(dst []byte, u *url.URL, h http.Header) ([]byte, error) {
	dst = append(dst, "POST "...)
	dst = append(dst, u.RequestURI()...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, u.Host...)
	dst = append(dst, "\r\n"...)
	if _, ok := h["User-Agent"]; !ok {
		dst = append(dst, "User-Agent: Go-http-client/1.1\r\n"...)
	}
	for k, vs := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Content-Length", "Transfer-Encoding", "Connection", "Trailer":
			continue // the request's framing is Post's
		}
		if !httpguts.ValidHeaderFieldName(k) {
			return nil, fmt.Errorf("invalid header field name %q", k)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return nil, fmt.Errorf("invalid header field value for %q", k)
			}
			dst = append(dst, k...)
			dst = append(dst, ": "...)
			dst = append(dst, v...)
			dst = append(dst, "\r\n"...)
		}
	}
	return dst, nil
}

// Post writes one request, head (from AppendRequestHead) and body, on a
// pooled connection and reads the answer's status and header on the
// calling goroutine. ctx bounds the whole exchange, the body's reading
// included. The caller must close the response's body: read to its end,
// the connection goes back to the pool, else it is closed. Like the
// transport, Post never resends a request (a POST is not idempotent);
// ErrDirectBusy and a refused dial mean nothing was sent.
func (d *Direct) Post(ctx context.Context, head, body []byte) (*http.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dc, err := d.get(ctx)
	if err != nil {
		return nil, err
	}
	// The connection's deadline follows ctx: passed or cancelled, the
	// read or write in progress returns, and the connection is not reused.
	conn := dc.tc.Conn
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(aLongTimeAgo) })
	buf := append(dc.wbuf[:0], head...)
	buf = append(buf, "Content-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(body)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, body...)
	if cap(buf) <= maxKeptWriteBuffer {
		dc.wbuf = buf[:0]
	} else {
		dc.wbuf = nil
	}
	if _, err := conn.Write(buf); err != nil {
		stop()
		d.discard(dc)
		return nil, ctxErr(ctx, err)
	}
	resp, err := readResponse(dc.br)
	if err != nil {
		stop()
		d.discard(dc)
		return nil, ctxErr(ctx, err)
	}
	resp.Body = &directBody{d: d, dc: dc, body: resp.Body, stop: stop, close: resp.Close}
	return resp, nil
}

// readResponse reads the final answer, skipping informational ones (103
// Early Hints).
func readResponse(br *bufio.Reader) (*http.Response, error) {
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		return resp, nil
	}
}

// aLongTimeAgo is a deadline that has passed: set, it ends a blocked
// read or write at once.
var aLongTimeAgo = time.Unix(1, 0)

// ctxErr prefers the context's error to the connection's when ctx ended
// the exchange (the deadline set by Post's AfterFunc).
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// directBody is an answer's body: closed after it was read to its end,
// its connection goes back to the pool.
type directBody struct {
	d     *Direct
	dc    *directConn
	body  io.ReadCloser
	stop  func() bool
	close bool // the upstream said Connection: close
	eof   bool
	done  bool
}

func (b *directBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, errors.New("pool: read on a closed body")
	}
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// Close ends the exchange. A body read up to its declared length has not
// necessarily reported its end yet: one more read of what is left (at
// most a little, bounded by ctx still) tells.
func (b *directBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	if !b.eof && !b.close {
		var scratch [512]byte
		for range 8 {
			_, err := b.body.Read(scratch[:])
			if err != nil {
				b.eof = err == io.EOF
				break
			}
		}
	}
	// stop reports false when the AfterFunc ran or runs: the deadline is
	// (being) set, the connection is spent.
	fresh := b.stop()
	if b.eof && !b.close && fresh {
		b.d.put(b.dc)
	} else {
		b.d.discard(b.dc)
	}
	return nil
}

// get takes the most recently used idle connection that is still open,
// or dials one if the cap allows.
func (d *Direct) get(ctx context.Context) (*directConn, error) {
	now := time.Now()
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil, errDirectClosed
	}
	for n := len(d.idle); n > 0; n = len(d.idle) {
		dc := d.idle[n-1]
		d.idle[n-1] = nil
		d.idle = d.idle[:n-1]
		idleFor := now.Sub(dc.idleAt)
		if d.idleTimeout > 0 && idleFor >= d.idleTimeout {
			d.open--
			d.mu.Unlock()
			_ = dc.tc.Close()
			d.mu.Lock()
			continue
		}
		d.mu.Unlock()
		if idleFor >= d.probeAfter && !connAlive(dc) {
			d.discard(dc)
			d.mu.Lock()
			continue
		}
		dc.tc.setIdle(false)
		d.in.reused.Inc()
		d.in.Reused.Add(1)
		d.in.idleTime.Observe(idleFor.Seconds())
		return dc, nil
	}
	if d.maxConns > 0 && d.open >= d.maxConns {
		d.mu.Unlock()
		return nil, ErrDirectBusy
	}
	d.open++
	d.mu.Unlock()
	c, err := d.in.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		d.mu.Lock()
		d.open--
		d.mu.Unlock()
		return nil, err
	}
	d.in.opened.Inc()
	d.in.Opened.Add(1)
	tc := c.(*trackedConn)
	return &directConn{tc: tc, br: bufio.NewReaderSize(tc.Conn, 4096)}, nil
}

// put makes dc idle, or closes it when the pool keeps enough idle ones or
// is closed.
func (d *Direct) put(dc *directConn) {
	dc.idleAt = time.Now()
	d.mu.Lock()
	if d.closed || len(d.idle) >= d.maxIdle {
		d.open--
		d.mu.Unlock()
		_ = dc.tc.Close()
		return
	}
	d.idle = append(d.idle, dc)
	if d.idleTimeout > 0 && d.sweep == nil {
		d.sweep = time.AfterFunc(d.idleTimeout, d.sweepIdle)
	}
	d.mu.Unlock()
	dc.tc.setIdle(true)
	d.in.returned.Inc()
}

// discard closes a connection that is not going back to the pool.
func (d *Direct) discard(dc *directConn) {
	d.mu.Lock()
	d.open--
	d.mu.Unlock()
	_ = dc.tc.Close()
}

// sweepIdle closes the connections idle longer than idleTimeout and runs
// again while some are idle.
func (d *Direct) sweepIdle() {
	cutoff := time.Now().Add(-d.idleTimeout)
	d.mu.Lock()
	var expired []*directConn
	kept := d.idle[:0]
	for _, dc := range d.idle {
		if dc.idleAt.After(cutoff) {
			kept = append(kept, dc)
		} else {
			expired = append(expired, dc)
		}
	}
	clear(d.idle[len(kept):])
	d.idle = kept
	d.open -= len(expired)
	d.sweep = nil
	if len(d.idle) > 0 && !d.closed {
		d.sweep = time.AfterFunc(time.Until(d.idle[0].idleAt.Add(d.idleTimeout)), d.sweepIdle)
	}
	d.mu.Unlock()
	for _, dc := range expired {
		_ = dc.tc.Close()
	}
}

// CloseIdle closes every idle connection; connections in use close when
// their exchange ends if Close was called.
func (d *Direct) CloseIdle() {
	d.mu.Lock()
	idle := d.idle
	d.idle = nil
	d.open -= len(idle)
	if d.sweep != nil {
		d.sweep.Stop()
		d.sweep = nil
	}
	d.mu.Unlock()
	for _, dc := range idle {
		_ = dc.tc.Close()
	}
}

// Close closes the idle connections and every connection in use once its
// exchange ends; Post fails after it.
func (d *Direct) Close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.CloseIdle()
}

// Stats are a Direct's connection counts (for tests).
func (d *Direct) Stats() (open, idle int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.open, len(d.idle)
}
