package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/plugin"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const secret = "0123456789abcdef-secret"

func newPlugin(t *testing.T, yml string) (*Plugin, *metrics.Metrics) {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(yml), &node); err != nil {
		t.Fatal(err)
	}
	m := metrics.New()
	p, err := New("hooks", node.Content[0], plugin.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p, m
}

func fire(p *Plugin, name string, out *plugin.Outcome) {
	rec := plugin.Record{Outcome: "ok", Err: out.Err, Duration: out.Duration}
	switch {
	case out.Err != nil:
		rec.Outcome = "error"
	case out.Tool != nil && out.Tool.IsError:
		rec.Outcome = "tool_error"
	}
	p.Audit(context.Background(), &plugin.Call{Kind: plugin.KindTool, Upstream: "u", Name: name, Target: "t", Principal: "alice"}, rec)
}

// receiver verifies signatures and answers with the scripted statuses in
// turn (then 200).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	events   []Event
	attempts atomic.Int32
	badSigs  atomic.Int32
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.attempts.Add(1)
	body, _ := io.ReadAll(req.Body)
	ts := req.Header.Get(HeaderTimestamp)
	if !Verify([]byte(secret), ts, body, req.Header.Get(HeaderSignature)) {
		r.badSigs.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(sec, 0)) > time.Minute {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.statuses) > 0 {
		code := r.statuses[0]
		r.statuses = r.statuses[1:]
		if code != http.StatusOK {
			w.WriteHeader(code)
			return
		}
	}
	var ev Event
	_ = json.Unmarshal(body, &ev)
	if ev.ID != req.Header.Get(HeaderEventID) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.events = append(r.events, ev)
}

func (r *receiver) delivered() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDeliveryWithRetries(t *testing.T) {
	rcv := &receiver{statuses: []int{500, 429, 200}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	p, m := newPlugin(t, "urls: ["+srv.URL+"]\nsecret: "+secret+"\ninitial_backoff: 5ms\nmax_backoff: 20ms\n")

	fire(p, "u__ok", &plugin.Outcome{Tool: mcp.NewToolResultText("x"), Duration: 1500 * time.Microsecond})
	waitFor(t, "delivery", func() bool { return len(rcv.delivered()) == 1 })
	ev := rcv.delivered()[0]
	if ev.Type != "tool_call" || ev.Name != "u__ok" || ev.Principal != "alice" || ev.Outcome != "ok" || ev.DurationMS != 1.5 {
		t.Fatalf("event = %+v", ev)
	}
	if rcv.attempts.Load() != 3 || rcv.badSigs.Load() != 0 {
		t.Fatalf("attempts %d bad signatures %d", rcv.attempts.Load(), rcv.badSigs.Load())
	}
	if v := testutil.ToFloat64(m.WebhookDeliveries.WithLabelValues("hooks", "retry")); v != 2 {
		t.Fatalf("retries metric = %v", v)
	}

	// A tool error and a failed call are reported as such.
	fire(p, "u__te", &plugin.Outcome{Tool: mcp.NewToolResultError("bad")})
	fire(p, "u__err", &plugin.Outcome{Err: errors.New("upstream down")})
	waitFor(t, "two more deliveries", func() bool { return len(rcv.delivered()) == 3 })
	got := rcv.delivered()
	if got[1].Outcome != "tool_error" || got[2].Outcome != "error" || got[2].Error != "upstream down" {
		t.Fatalf("events = %+v", got[1:])
	}
}

func TestNoRetryOnClientError(t *testing.T) {
	rcv := &receiver{statuses: []int{400}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	p, m := newPlugin(t, "urls: ["+srv.URL+"]\nsecret: "+secret+"\ninitial_backoff: 5ms\n")
	fire(p, "u__t", &plugin.Outcome{Tool: mcp.NewToolResultText("x")})
	waitFor(t, "rejection", func() bool { return testutil.ToFloat64(m.WebhookDeliveries.WithLabelValues("hooks", "rejected")) == 1 })
	if rcv.attempts.Load() != 1 {
		t.Fatalf("4xx retried: %d attempts", rcv.attempts.Load())
	}
}

// TestQueueBoundedAndDrainedOnShutdown: a stuck receiver never blocks
// callers (overflow is dropped and counted), and Shutdown delivers what
// was queued before returning.
func TestQueueBoundedAndDrainedOnShutdown(t *testing.T) {
	release := make(chan struct{})
	var delivered atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		delivered.Add(1)
	}))
	defer srv.Close()
	p, m := newPlugin(t, "urls: ["+srv.URL+"]\nsecret: "+secret+"\nqueue_size: 3\ntimeout: 20s\n")

	start := time.Now()
	for range 10 {
		fire(p, "u__t", &plugin.Outcome{Tool: mcp.NewToolResultText("x")})
	}
	if time.Since(start) > time.Second {
		t.Fatal("enqueue blocked")
	}
	// One event is in the worker, three are queued, the rest dropped. The
	// worker may not have taken the first one yet, so allow 6 or 7 drops.
	dropped := testutil.ToFloat64(m.WebhookDropped.WithLabelValues("hooks"))
	if dropped < 6 || dropped > 7 {
		t.Fatalf("dropped = %v", dropped)
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := int(delivered.Load()) + int(dropped); got != 10 {
		t.Fatalf("delivered %d + dropped %v != 10", delivered.Load(), dropped)
	}
	// After shutdown, events are dropped, not queued.
	fire(p, "u__late", &plugin.Outcome{})
	if testutil.ToFloat64(m.WebhookDropped.WithLabelValues("hooks")) != dropped+1 {
		t.Fatal("late event not counted as dropped")
	}
}

// TestShutdownDeadlineAbortsDelivery: a receiver that never answers cannot
// hold Shutdown past its context.
func TestShutdownDeadlineAbortsDelivery(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	p, _ := newPlugin(t, "urls: ["+srv.URL+"]\nsecret: "+secret+"\ntimeout: 30s\n")
	fire(p, "u__t", &plugin.Outcome{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := p.Shutdown(ctx); err == nil {
		t.Fatal("expected a not-drained error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Shutdown took %s", d)
	}
}

func TestSignature(t *testing.T) {
	sig := Sign([]byte("k"), "1700000000", []byte(`{"a":1}`))
	if !Verify([]byte("k"), "1700000000", []byte(`{"a":1}`), sig) {
		t.Fatal("round trip failed")
	}
	for _, bad := range [][3]string{{"k2", "1700000000", `{"a":1}`}, {"k", "1700000001", `{"a":1}`}, {"k", "1700000000", `{"a":2}`}} {
		if Verify([]byte(bad[0]), bad[1], []byte(bad[2]), sig) {
			t.Fatalf("%v verified", bad)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, yml := range []string{
		"secret: " + secret,
		"urls: [ftp://x]\nsecret: " + secret,
		"urls: [http://x]\nsecret: short",
		"urls: [http://x]\nsecret: " + secret + "\nbogus: 1",
	} {
		t.Run(yml, func(t *testing.T) {
			var node yaml.Node
			_ = yaml.Unmarshal([]byte(yml), &node)
			p, err := New("w", node.Content[0], plugin.Deps{Logger: slog.Default(), Metrics: metrics.New()})
			if err == nil {
				_ = p.Shutdown(context.Background())
				t.Errorf("%q accepted", yml)
			}
		})
	}
}
