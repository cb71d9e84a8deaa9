package pool

import (
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var poolCfg = config.PoolConfig{
	MaxIdleConns: 16, MaxIdleConnsPerHost: 8, IdleConnTimeout: time.Minute,
	DialTimeout: 5 * time.Second, KeepAlive: 30 * time.Second, TLSHandshakeTimeout: 5 * time.Second,
}

// connTracker counts server-side connection states.
type connTracker struct {
	mu     sync.Mutex
	states map[net.Conn]http.ConnState
}

func (c *connTracker) hook(conn net.Conn, s http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.states[conn] = s
}

func (c *connTracker) count(s http.ConnState) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, st := range c.states {
		if st == s {
			n++
		}
	}
	return n
}

func get(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// TestSharedPoolReuseAndStats: sequential requests reuse one connection;
// the trace-based stats and gauges say so; Close releases it.
func TestSharedPoolReuseAndStats(t *testing.T) {
	tracker := &connTracker{states: map[net.Conn]http.ConnState{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	srv.Config.ConnState = tracker.hook
	srv.Start()
	defer srv.Close()

	m := metrics.New()
	p, err := New(poolCfg, []config.Upstream{{Name: "a", URL: srv.URL}}, m)
	if err != nil {
		t.Fatal(err)
	}
	c := p.ClientFor("a")
	if c != p.ClientFor("unknown") || c != p.Shared().Client() {
		t.Fatal("plain upstreams must share one client")
	}
	for range 10 {
		get(t, c, srv.URL)
	}
	st := p.Shared().Stats()
	if st.Opened.Load() != 1 || st.Reused.Load() != 9 {
		t.Fatalf("opened %d reused %d", st.Opened.Load(), st.Reused.Load())
	}
	if v := testutil.ToFloat64(m.PoolConnsOpen.WithLabelValues(SharedLabel)); v != 1 {
		t.Fatalf("open gauge %v", v)
	}
	// Returning to the idle pool happens just after the body is read.
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(m.PoolConnsIdle.WithLabelValues(SharedLabel)) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("idle gauge never reached 1")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for tracker.count(http.StateClosed) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("server never saw the idle connection close")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if v := testutil.ToFloat64(m.PoolConnsIdle.WithLabelValues(SharedLabel)); v != 0 {
		t.Fatalf("idle gauge after Close = %v", v)
	}
	if v := testutil.ToFloat64(m.PoolConnsOpen.WithLabelValues(SharedLabel)); v != 0 {
		t.Fatalf("open gauge after Close = %v", v)
	}
}

// TestTLSProfiles: upstreams with equal TLS settings share a transport,
// different settings get their own; the configured CA is what is trusted.
func TestTLSProfiles(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsA := &config.TLS{CAFile: ca}
	tlsB := &config.TLS{CAFile: ca, ServerName: "example.com"}
	ups := []config.Upstream{
		{Name: "plain", URL: "http://127.0.0.1:1"},
		{Name: "a1", URL: srv.URL, TLS: tlsA},
		{Name: "a2", URL: srv.URL, TLS: &config.TLS{CAFile: ca}},
		{Name: "b", URL: srv.URL, TLS: tlsB},
	}
	p, err := New(poolCfg, ups, metrics.New())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.ProfileCount() != 2 {
		t.Fatalf("profiles = %d, want 2", p.ProfileCount())
	}
	if p.ClientFor("a1") != p.ClientFor("a2") || p.ClientFor("a1") == p.ClientFor("b") || p.ClientFor("a1") == p.ClientFor("plain") {
		t.Fatal("wrong client sharing")
	}
	get(t, p.ClientFor("a1"), srv.URL)
	get(t, p.ClientFor("b"), srv.URL) // httptest's cert is valid for example.com
	if resp, err := p.ClientFor("plain").Get(srv.URL); err == nil {
		resp.Body.Close()
		t.Fatal("shared transport trusted a private CA")
	}
	if _, err := New(poolCfg, []config.Upstream{{Name: "x", URL: srv.URL, TLS: &config.TLS{CAFile: filepath.Join(dir, "missing.pem")}}}, metrics.New()); err == nil {
		t.Fatal("missing CA file accepted")
	}
}

// TestBurstAboveIdleLimitDoesNotChurn: with the connection cap at the idle
// limit (the default), a burst of more calls than the limit waits for
// connections instead of opening ones that are closed when they end, and a
// second burst reuses them all. Without the cap the same burst opens a
// connection per call and closes the ones beyond the limit.
func TestBurstAboveIdleLimitDoesNotChurn(t *testing.T) {
	const limit, burst = 4, 24
	run := func(t *testing.T, connsCap int) (opened, closed int) {
		tracker := &connTracker{states: map[net.Conn]http.ConnState{}}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(20 * time.Millisecond)
			_, _ = w.Write([]byte("ok"))
		}))
		srv.Config.ConnState = tracker.hook
		srv.Start()
		defer srv.Close()

		cfg := poolCfg
		cfg.MaxIdleConnsPerHost, cfg.MaxConnsPerHost = limit, connsCap
		p, err := New(cfg, []config.Upstream{{Name: "a", URL: srv.URL}}, metrics.New())
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		for range 2 {
			var wg sync.WaitGroup
			for range burst {
				wg.Add(1)
				go func() {
					defer wg.Done()
					get(t, p.ClientFor("a"), srv.URL)
				}()
			}
			wg.Wait()
		}
		// The server sees a close a moment after the client's.
		time.Sleep(50 * time.Millisecond)
		tracker.mu.Lock()
		defer tracker.mu.Unlock()
		for _, s := range tracker.states {
			if s == http.StateClosed {
				closed++
			}
		}
		return len(tracker.states), closed
	}
	t.Run("capped", func(t *testing.T) {
		opened, closed := run(t, limit)
		if opened > limit || closed != 0 {
			t.Fatalf("two bursts of %d: %d connections opened, %d closed; want at most %d, none closed", burst, opened, closed, limit)
		}
	})
	t.Run("uncapped", func(t *testing.T) {
		opened, closed := run(t, -1)
		if opened <= limit || closed == 0 {
			t.Fatalf("two bursts of %d without a cap: %d opened, %d closed; the churn this guards against did not show", burst, opened, closed)
		}
	})
}
