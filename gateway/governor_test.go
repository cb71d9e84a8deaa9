package gateway

import (
	"context"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	gwmetrics "github.com/churnlint/churnlint/gateway/metrics"
)

// The governor lowers the bound by a quarter per period while the p90
// scheduling latency is over its target, never below a quarter of
// max_in_flight, and raises it by an eighth while it is under half the
// target, never above max_in_flight; a period with too few samples
// leaves it alone.
func TestSchedGovernorFollowsSchedulingLatency(t *testing.T) {
	g := newSchedGovernor(10*time.Millisecond, 192)
	buckets := []float64{0, 0.001, 0.005, 0.02, 0.1}
	period := func(counts ...uint64) *metrics.Float64Histogram {
		return &metrics.Float64Histogram{Buckets: buckets, Counts: counts}
	}
	starved := period(10, 10, 20, 60) // p90 in [20ms, 100ms)
	idle := period(90, 10, 0, 0)      // p90 in [0, 1ms)
	between := period(0, 0, 100, 0)   // p90 in [5ms, 20ms): 5ms lower bound, neither
	if g.limit.Load() != 192 {
		t.Fatalf("starts at %d, want max_in_flight 192", g.limit.Load())
	}
	g.update(starved)
	if got := g.limit.Load(); got != 144 {
		t.Fatalf("after a starved period: %d, want 144", got)
	}
	for range 20 {
		g.update(starved)
	}
	if got := g.limit.Load(); got != 48 {
		t.Fatalf("floor: %d, want 48 (a quarter of max_in_flight)", got)
	}
	g.update(period(1, 1, 1, 1))
	if got := g.limit.Load(); got != 48 {
		t.Fatalf("a period with 4 samples moved it to %d", got)
	}
	g.update(between)
	if got := g.limit.Load(); got != 48 {
		t.Fatalf("between half the target and the target: %d, want unchanged", got)
	}
	g.update(idle)
	if got := g.limit.Load(); got != 54 {
		t.Fatalf("after an idle period: %d, want 54 (+1/8)", got)
	}
	for range 40 {
		g.update(idle)
	}
	if got := g.limit.Load(); got != 192 {
		t.Fatalf("ceiling: %d, want max_in_flight 192", got)
	}
}

// current reads the runtime at most once per period, and a fresh governor
// on an idle test process stays at max_in_flight.
func TestSchedGovernorReadsTheRuntime(t *testing.T) {
	g := newSchedGovernor(time.Second, 16)
	now := time.Now()
	if got := g.current(now); got != 16 {
		t.Fatalf("idle process: %d, want 16", got)
	}
	next := g.next.Load()
	if next <= now.UnixNano() {
		t.Fatal("no next update scheduled")
	}
	g.current(now.Add(governorPeriod / 2))
	if g.next.Load() != next {
		t.Fatal("updated again within the period")
	}
}

// Over the governor's bound a request is refused at once, without waiting
// in the queue, and counted as "cpu".
func TestAdmitterRefusesOverTheGovernorsBound(t *testing.T) {
	m := gwmetrics.New()
	a := newAdmitter(m, scopeGateway, "", 8, 4, time.Second)
	a.governor = newSchedGovernor(10*time.Millisecond, 8)
	a.governor.limit.Store(2)
	a.governor.next.Store(time.Now().Add(time.Hour).UnixNano())
	ctx := context.Background()
	for i := range 2 {
		if !a.acquire(ctx, time.Now().Add(time.Second)) {
			t.Fatalf("request %d of 2 was refused", i+1)
		}
	}
	start := time.Now()
	if a.acquire(ctx, time.Now().Add(time.Second)) {
		t.Fatal("a third admitted over a bound of 2")
	}
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Fatalf("refusal took %s: it waited in the queue", took)
	}
	if got := testutil.ToFloat64(m.AdmissionRejected.WithLabelValues(scopeGateway, "", reasonCPU)); got != 1 {
		t.Fatalf("counted %v as cpu, want 1", got)
	}
	a.release()
	if !a.acquire(ctx, time.Now().Add(time.Second)) {
		t.Fatal("refused after a release")
	}
}

// A request whose queue budget is spent (it waited in the gateway's queue
// for as long as admission.queue_timeout allows) is refused at once by a
// full upstream, not queued again: the admitter's own timeout here is an
// hour, so a wait would never end.
func TestAdmitterSpentBudgetDoesNotWait(t *testing.T) {
	m := gwmetrics.New()
	a := newAdmitter(m, scopeUpstream, "alpha", 1, 4, time.Hour)
	ctx := context.Background()
	if !a.acquire(ctx, time.Now().Add(time.Hour)) {
		t.Fatal("the first request was refused")
	}
	if a.acquire(ctx, time.Now().Add(-time.Millisecond)) {
		t.Fatal("admitted over a bound of 1")
	}
	if got := testutil.ToFloat64(m.AdmissionRejected.WithLabelValues(scopeUpstream, "alpha", reasonTimeout)); got != 1 {
		t.Fatalf("counted %v as timeout, want 1", got)
	}
	if n := a.waiting.Load(); n != 0 {
		t.Fatalf("%d left waiting", n)
	}
	a.release()
	if !a.acquire(ctx, time.Now().Add(-time.Millisecond)) {
		t.Fatal("a free slot refused to a request with its budget spent")
	}
}

// turnover: no estimate, or one too old, lets a request queue; a measured
// release rate admits to the queue only as many as it gives slots back
// within a quarter of their budget (turnoverMargin).
func TestTurnoverClears(t *testing.T) {
	var tr turnover
	t0 := time.Unix(1000, 0)
	if !tr.clears(5, 20*time.Millisecond, t0, 0) {
		t.Fatal("refused with no estimate")
	}
	if !tr.clears(5, 20*time.Millisecond, t0.Add(5*time.Millisecond), 1) {
		t.Fatal("refused on a window shorter than the minimum (no estimate yet)")
	}
	// 10 releases in 100 ms: 100 per second, 8 slots in an 80 ms budget,
	// 2 in a quarter of it.
	now := t0.Add(100 * time.Millisecond)
	for pos, want := range map[int64]bool{1: true, 2: true, 3: false, 40: false} {
		if got := tr.clears(pos, 80*time.Millisecond, now, 10); got != want {
			t.Errorf("position %d at 100/s with 80 ms left: %v, want %v", pos, got, want)
		}
	}
	// Nothing given back for 100 ms more: the estimate halves (50/s).
	now = now.Add(100 * time.Millisecond)
	if tr.clears(2, 80*time.Millisecond, now, 10) {
		t.Error("position 2 admitted to the queue at 50/s with 80 ms left")
	}
	if !tr.clears(1, 80*time.Millisecond, now, 10) {
		t.Error("position 1 refused at 50/s with 80 ms left")
	}
	// A sample older than turnoverMaxAge says nothing: start over.
	if !tr.clears(40, 20*time.Millisecond, now.Add(2*time.Second), 10) {
		t.Error("refused on a stale estimate")
	}
}

// A request that finds the queue unable to clear within its budget is
// refused at once ("wait") instead of after the budget ("timeout"): the
// slot is held and nothing was given back since the first request queued.
func TestAdmitterRefusesAWaitThatCannotEnd(t *testing.T) {
	m := gwmetrics.New()
	a := newAdmitter(m, scopeUpstream, "alpha", 1, 4, time.Second)
	ctx := context.Background()
	if !a.acquire(ctx, time.Now().Add(time.Second)) {
		t.Fatal("the first request was refused")
	}
	// No estimate yet: the second waits its 50 ms and is refused.
	start := time.Now()
	if a.acquire(ctx, time.Now().Add(50*time.Millisecond)) {
		t.Fatal("admitted over a bound of 1")
	}
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Fatalf("the first refusal took %s: it did not wait (no estimate yet)", took)
	}
	// 50 ms with no release: the third is refused at once.
	start = time.Now()
	if a.acquire(ctx, time.Now().Add(time.Second)) {
		t.Fatal("admitted over a bound of 1")
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("refusal took %s: it waited for a slot nothing gives back", took)
	}
	for reason, want := range map[string]float64{reasonTimeout: 1, reasonWait: 1} {
		if got := testutil.ToFloat64(m.AdmissionRejected.WithLabelValues(scopeUpstream, "alpha", reason)); got != want {
			t.Errorf("counted %v as %s, want %v", got, reason, want)
		}
	}
	a.release()
	if !a.acquire(ctx, time.Now().Add(time.Second)) {
		t.Fatal("a free slot refused")
	}
}
