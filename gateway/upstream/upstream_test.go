package upstream_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/pool"
	"github.com/churnlint/churnlint/gateway/upstream"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func upstreamConfig(name, url, transport string) config.Upstream {
	return config.Upstream{
		Name: name, URL: url, Transport: transport,
		Timeouts:        config.Timeouts{Connect: 5 * time.Second, Call: 5 * time.Second, Health: time.Second},
		Health:          config.Health{Interval: 100 * time.Millisecond, FailureThreshold: 2},
		Reconnect:       config.Reconnect{InitialBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
		RefreshInterval: time.Hour,
	}
}

type catalogs struct {
	mu   sync.Mutex
	last map[string]upstream.Catalog
}

func (c *catalogs) record(up string, cat upstream.Catalog) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last[up] = cat
}

func (c *catalogs) tools(up string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for _, t := range c.last[up].Tools {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	return names
}

func startManager(t *testing.T, cfgs ...config.Upstream) (*upstream.Manager, *catalogs, *metrics.Metrics) {
	t.Helper()
	m := metrics.New()
	p, err := pool.New(config.PoolConfig{MaxIdleConns: 8, MaxIdleConnsPerHost: 8, IdleConnTimeout: time.Minute,
		DialTimeout: time.Second, KeepAlive: time.Second, TLSHandshakeTimeout: time.Second}, cfgs, m)
	if err != nil {
		t.Fatal(err)
	}
	cats := &catalogs{last: map[string]upstream.Catalog{}}
	mgr, err := upstream.NewManager(cfgs, p, m, slog.New(slog.NewTextHandler(io.Discard, nil)), cats.record)
	if err != nil {
		t.Fatal(err)
	}
	mgr.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := mgr.Close(ctx); err != nil {
			t.Error(err)
		}
		_ = p.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := mgr.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return mgr, cats, m
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFilters: filtered tools are absent from the catalog and refused at
// call time; deny rules also apply to concrete resource URIs read through
// an allowed template.
func TestFilters(t *testing.T) {
	up := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := upstreamConfig("alpha", up.URL(), config.TransportStreamableHTTP)
	cfg.Tools = config.Filter{Allow: []string{"e*", "add"}, Deny: []string{"add"}}
	cfg.Resources = config.Filter{Deny: []string{"demo://items/secret*"}}
	mgr, cats, _ := startManager(t, cfg)
	if got := cats.tools("alpha"); !slices.Equal(got, []string{"echo"}) {
		t.Fatalf("tools = %v", got)
	}
	s, _ := mgr.Session("alpha")
	ctx := context.Background()
	if _, err := s.CallTool(ctx, "add", map[string]any{"a": 1, "b": 2}, nil); !errors.Is(err, upstream.ErrFiltered) {
		t.Fatalf("filtered call: %v", err)
	}
	if _, err := s.ReadResource(ctx, "demo://items/secret-1", nil); !errors.Is(err, upstream.ErrFiltered) {
		t.Fatalf("denied resource: %v", err)
	}
	if c, err := s.ReadResource(ctx, "demo://items/7", nil); err != nil || len(c) != 1 {
		t.Fatalf("allowed resource: %v", err)
	}
	if st := s.Status(); !st.Up || !st.Initialised || st.Protocol == "" {
		t.Fatalf("status = %+v", st)
	}
}

// TestHealthThreshold: an upstream that still accepts connections but
// fails requests is declared down after failure_threshold probes, and
// recovers once it answers again. The forwarded header reaches it.
func TestHealthThreshold(t *testing.T) {
	var failing atomic.Bool
	var forwarded atomic.Value
	up := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	up.Wrap = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if v := r.Header.Get("X-Request-Id"); v != "" {
				forwarded.Store(v)
			}
			if failing.Load() {
				http.Error(w, "unhealthy", http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	up.Start()
	mgr, _, m := startManager(t, upstreamConfig("alpha", up.URL(), config.TransportStreamableHTTP))
	s, _ := mgr.Session("alpha")

	res, err := s.CallTool(context.Background(), "echo", map[string]any{"message": "x"}, http.Header{"X-Request-Id": {"req-1"}})
	if err != nil || res.IsError {
		t.Fatalf("call: %v", err)
	}
	if forwarded.Load() != "req-1" {
		t.Fatalf("forwarded header = %v", forwarded.Load())
	}
	failing.Store(true)
	waitFor(t, "session down", func() bool { return !s.Status().Up })
	if testutil.ToFloat64(m.UpstreamErrors.WithLabelValues("alpha", "health")) < 2 {
		t.Fatal("health failures not counted")
	}
	if _, err := s.CallTool(context.Background(), "echo", map[string]any{"message": "x"}, nil); !errors.Is(err, upstream.ErrUnavailable) {
		t.Fatalf("call while down: %v", err)
	}
	failing.Store(false)
	waitFor(t, "session back up", func() bool { return s.Status().Up })
	if testutil.ToFloat64(m.UpstreamReconnects.WithLabelValues("alpha")) < 2 {
		t.Fatal("reconnect not counted")
	}
}

// TestBearerAndHeaders: configured headers and the bearer token go to the
// upstream on every request.
func TestBearerAndHeaders(t *testing.T) {
	var bad atomic.Int32
	up := upstreamtest.New(t, "alpha", upstreamtest.SSE)
	up.Wrap = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer up-token" || r.Header.Get("X-Tenant") != "t1" {
				bad.Add(1)
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	up.Start()
	cfg := upstreamConfig("alpha", up.URL(), config.TransportSSE)
	cfg.BearerToken = "up-token"
	cfg.Headers = map[string]string{"X-Tenant": "t1"}
	mgr, cats, _ := startManager(t, cfg)
	if len(cats.tools("alpha")) != 3 || bad.Load() != 0 {
		t.Fatalf("tools %v, rejected %d", cats.tools("alpha"), bad.Load())
	}
	s, _ := mgr.Session("alpha")
	if res, err := s.GetPrompt(context.Background(), "greet", map[string]string{"name": "x"}, nil); err != nil || len(res.Messages) != 1 {
		t.Fatalf("prompt: %v", err)
	}
}
