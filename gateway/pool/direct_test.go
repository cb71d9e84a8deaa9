package pool

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
)

// directServer is an upstream that echoes the request body and counts
// the connections it accepted.
func directServer(t *testing.T, h http.HandlerFunc, configure ...func(*http.Server)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var accepted atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	for _, c := range configure {
		c(srv.Config)
	}
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &accepted
}

func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Seen-Header", r.Header.Get("X-Team"))
	_, _ = w.Write(body)
}

// newDirect is the Direct of a fresh shared pool for srv.
func newDirect(t *testing.T, cfg config.PoolConfig, srv *httptest.Server) (*Direct, *Transport, *url.URL) {
	t.Helper()
	tr := NewTransport(SharedLabel, cfg, nil, metrics.New())
	t.Cleanup(func() { _ = tr.Close() })
	u, err := url.Parse(srv.URL + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	d := DirectFor(tr.Client(), u)
	if d == nil {
		t.Fatal("no Direct for a plain http URL")
	}
	return d, tr, u
}

func post(t *testing.T, ctx context.Context, d *Direct, u *url.URL, h http.Header, body string) (*http.Response, string) {
	t.Helper()
	head, err := AppendRequestHead(nil, u, h)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Post(ctx, head, []byte(body))
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	_ = resp.Body.Close()
	return resp, string(data)
}

// TestDirectReusesOneConnection: sequential exchanges go out on one
// connection, counted in the pool's metrics as one opened and the rest
// reused, with the request's headers and body as given.
func TestDirectReusesOneConnection(t *testing.T) {
	srv, accepted := directServer(t, echo)
	d, tr, u := newDirect(t, poolCfg, srv)
	ctx := context.Background()
	for i := range 5 {
		body := `{"n":` + string(rune('0'+i)) + `}`
		resp, got := post(t, ctx, d, u, http.Header{"X-Team": {"blue"}}, body)
		if resp.StatusCode != http.StatusOK || got != body || resp.Header.Get("X-Seen-Header") != "blue" {
			t.Fatalf("exchange %d: %d %q (header %q)", i, resp.StatusCode, got, resp.Header.Get("X-Seen-Header"))
		}
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("upstream accepted %d connections, want 1", n)
	}
	if o, r := tr.Stats().Opened.Load(), tr.Stats().Reused.Load(); o != 1 || r != 4 {
		t.Errorf("opened %d reused %d, want 1 and 4", o, r)
	}
	if open, idle := d.Stats(); open != 1 || idle != 1 {
		t.Errorf("open %d idle %d, want 1 and 1", open, idle)
	}
	_ = tr.Close()
	if open, idle := d.Stats(); open != 0 || idle != 0 {
		t.Errorf("after the pool's Close: open %d idle %d, want 0 and 0", open, idle)
	}
}

// TestDirectChunkedAndClose: a chunked answer read to its end leaves the
// connection reusable; an answer with Connection: close does not.
func TestDirectChunkedAndClose(t *testing.T) {
	srv, accepted := directServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-Close") != "" {
			w.Header().Set("Connection", "close")
		}
		_, _ = io.WriteString(w, "part one,")
		w.(http.Flusher).Flush() // chunked from here
		_, _ = io.WriteString(w, "part two")
	})
	d, _, u := newDirect(t, poolCfg, srv)
	ctx := context.Background()
	for range 3 {
		if _, got := post(t, ctx, d, u, nil, "{}"); got != "part one,part two" {
			t.Fatalf("answer %q", got)
		}
	}
	if n := accepted.Load(); n != 1 {
		t.Fatalf("chunked answers: %d connections, want 1", n)
	}
	post(t, ctx, d, u, http.Header{"X-Close": {"1"}}, "{}")
	if open, _ := d.Stats(); open != 0 {
		t.Errorf("after Connection: close, %d connections open, want 0", open)
	}
	post(t, ctx, d, u, nil, "{}")
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (a new one after the close)", n)
	}
}

// TestDirectUnreadBodyIsNotReused: a body closed before its end leaves
// nothing half-read on a pooled connection.
func TestDirectUnreadBodyIsNotReused(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	srv, accepted := directServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, big)
	})
	d, _, u := newDirect(t, poolCfg, srv)
	head, _ := AppendRequestHead(nil, u, nil)
	resp, err := d.Post(context.Background(), head, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if open, idle := d.Stats(); open != 0 || idle != 0 {
		t.Fatalf("open %d idle %d after an unread body, want 0 and 0", open, idle)
	}
	if _, got := post(t, context.Background(), d, u, nil, "{}"); got != big {
		t.Fatalf("second answer: %d bytes, want %d", len(got), len(big))
	}
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestDirectCancel: cancelling the context ends an exchange the upstream
// does not answer, at once, and the connection is not reused.
func TestDirectCancel(t *testing.T) {
	release := make(chan struct{})
	srv, _ := directServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	d, _, u := newDirect(t, poolCfg, srv)
	head, _ := AppendRequestHead(nil, u, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := d.Post(ctx, head, []byte("{}"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Post: %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v after the cancel", el)
	}
	if open, idle := d.Stats(); open != 0 || idle != 0 {
		t.Errorf("open %d idle %d after a cancelled exchange, want 0 and 0", open, idle)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	if _, err := d.Post(dctx, head, []byte("{}")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Post past its deadline: %v, want context.DeadlineExceeded", err)
	}
}

// TestDirectCap: beyond the pool's connections per host, Post refuses at
// once with ErrDirectBusy (the caller takes the pool's client).
func TestDirectCap(t *testing.T) {
	srv, _ := directServer(t, echo)
	cfg := poolCfg
	cfg.MaxConnsPerHost = 1
	d, _, u := newDirect(t, cfg, srv)
	head, _ := AppendRequestHead(nil, u, nil)
	held, err := d.Post(context.Background(), head, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Post(context.Background(), head, []byte("{}")); !errors.Is(err, ErrDirectBusy) {
		t.Fatalf("second Post with the only connection in use: %v, want ErrDirectBusy", err)
	}
	_, _ = io.Copy(io.Discard, held.Body)
	_ = held.Body.Close()
	post(t, context.Background(), d, u, nil, "{}")
}

// TestDirectUpstreamClosedIdle: a connection the upstream closed while
// it was idle is noticed before it is reused, and the call goes out on a
// new one instead of failing.
func TestDirectUpstreamClosedIdle(t *testing.T) {
	srv, accepted := directServer(t, echo, func(s *http.Server) { s.IdleTimeout = 20 * time.Millisecond })
	d, _, u := newDirect(t, poolCfg, srv)
	d.probeAfter = 50 * time.Millisecond
	post(t, context.Background(), d, u, nil, "{}")
	time.Sleep(200 * time.Millisecond) // the upstream closed it by now
	if _, got := post(t, context.Background(), d, u, nil, `{"again":1}`); got != `{"again":1}` {
		t.Fatalf("answer %q", got)
	}
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestAppendRequestHead: the head is what net/http writes for the same
// request, and a value that would split the header is refused.
func TestAppendRequestHead(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:9/mcp?x=1")
	head, err := AppendRequestHead(nil, u, http.Header{"Mcp-Session-Id": {"abc"}, "Content-Length": {"99"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "POST /mcp?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nUser-Agent: Go-http-client/1.1\r\nMcp-Session-Id: abc\r\n"
	if string(head) != want {
		t.Errorf("head\n%q\nwant\n%q", head, want)
	}
	if _, err := AppendRequestHead(nil, u, http.Header{"X-Bad": {"a\r\nInjected: 1"}}); err == nil {
		t.Error("a value with CRLF was accepted")
	}
	if !bytes.HasPrefix(head, []byte("POST ")) {
		t.Error("not a POST")
	}
}

// TestDirectForEligibility: only a pool's own client, for a plain http
// URL no proxy applies to, gets a Direct; one per host.
func TestDirectForEligibility(t *testing.T) {
	tr := NewTransport(SharedLabel, poolCfg, nil, metrics.New())
	defer tr.Close()
	parse := func(s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a := DirectFor(tr.Client(), parse("http://127.0.0.1:9/mcp"))
	if a == nil || DirectFor(tr.Client(), parse("http://127.0.0.1:9/other")) != a {
		t.Error("want one Direct per host")
	}
	if DirectFor(tr.Client(), parse("https://127.0.0.1:9/mcp")) != nil {
		t.Error("a Direct for https")
	}
	if DirectFor(&http.Client{Transport: http.DefaultTransport}, parse("http://127.0.0.1:9/mcp")) != nil {
		t.Error("a Direct for a client that is not a pool's")
	}
	in := NewInstrumentation(metrics.New(), "proxied", &net.Dialer{})
	proxied := &http.Client{Transport: in.Wrap(&http.Transport{Proxy: http.ProxyURL(parse("http://127.0.0.1:3128")), DialContext: in.DialContext})}
	if DirectFor(proxied, parse("http://upstream.internal:9/mcp")) != nil {
		t.Error("a Direct for a URL a proxy applies to")
	}
}
