package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The cached children are the vectors' own: what ObserveRequest and
// ObserveHTTP record is what the registry exposes under those labels, and
// a request only counted (a GET stream) makes no duration series.
func TestObserveUpdatesTheVectorsSeries(t *testing.T) {
	m := New()
	for range 3 {
		m.ObserveRequest("demo", "tool", "demo__echo", "ok", 2*time.Millisecond)
	}
	m.ObserveRequest("demo", "tool", "demo__echo", "error", time.Millisecond)
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("demo", "tool", "demo__echo", "ok")); got != 3 {
		t.Errorf("ok calls counted %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("demo", "tool", "demo__echo", "error")); got != 1 {
		t.Errorf("failed calls counted %v, want 1", got)
	}
	if n := testutil.CollectAndCount(m.Latency); n != 1 {
		t.Errorf("%d latency series, want 1 (outcome is not its label)", n)
	}

	m.ObserveHTTP("mcp", 200, 3*time.Millisecond)
	m.ObserveHTTP("mcp", 200, time.Millisecond)
	m.ObserveHTTP("mcp", 503, time.Millisecond)
	m.ObserveHTTP("sse", 200, -1)
	if got := testutil.ToFloat64(m.HTTPRequests.WithLabelValues("mcp", "200")); got != 2 {
		t.Errorf("mcp 200 counted %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.HTTPRequests.WithLabelValues("sse", "200")); got != 1 {
		t.Errorf("sse 200 counted %v, want 1", got)
	}
	if n := testutil.CollectAndCount(m.HTTPDuration); n != 2 {
		t.Errorf("%d duration series, want 2 (mcp 200 and 503; the GET stream has none)", n)
	}
}
