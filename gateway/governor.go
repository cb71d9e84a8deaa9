package gateway

import (
	"math"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// schedLatencyMetric is the Go runtime's distribution of the time
// goroutines spent runnable before they ran: when it grows, the process
// has more work than CPU, and every request it holds, a refusal included,
// waits in the run queue.
const schedLatencyMetric = "/sched/latencies:seconds"

// Governor tuning. Every governorPeriod (at most; only while requests
// come) the bound moves: down by a quarter when the period's p90
// scheduling latency was over the target, up by an eighth (at least 1)
// when it was under half of it.
const (
	governorPeriod     = 100 * time.Millisecond
	governorMinSamples = 32 // fewer transitions in a period say nothing
)

// schedGovernor bounds the gateway's admitted requests by the CPU it
// gets, between min and max: a fixed max_in_flight sized from the pool
// lets in more work than a starved process can run, and then the
// refusals queue for a CPU behind the admitted calls (seen on a shared
// 2-core machine: a 503 took 128 ms in the gateway at p99). It is updated
// by the requests themselves (no goroutine): the first to arrive after a
// period reads the runtime's histogram.
type schedGovernor struct {
	target   time.Duration
	min, max int64

	limit atomic.Int64
	next  atomic.Int64 // UnixNano of the next update

	mu     sync.Mutex
	sample []metrics.Sample
	prev   []uint64
}

func newSchedGovernor(target time.Duration, maxInFlight int) *schedGovernor {
	g := &schedGovernor{
		target: target, max: int64(maxInFlight), min: int64(max(1, maxInFlight/4)),
		sample: []metrics.Sample{{Name: schedLatencyMetric}},
	}
	g.limit.Store(g.max)
	g.read() // the baseline
	return g
}

// current returns the bound, updating it first if a period has passed.
func (g *schedGovernor) current(now time.Time) int64 {
	if now.UnixNano() >= g.next.Load() && g.mu.TryLock() {
		if now.UnixNano() >= g.next.Load() {
			g.update(g.read())
			g.next.Store(now.Add(governorPeriod).UnixNano())
		}
		g.mu.Unlock()
	}
	return g.limit.Load()
}

// read returns the scheduling latencies since the previous read: bucket
// boundaries and counts (nil if the runtime does not have the metric).
func (g *schedGovernor) read() *metrics.Float64Histogram {
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	h := g.sample[0].Value.Float64Histogram()
	delta := &metrics.Float64Histogram{Buckets: h.Buckets, Counts: make([]uint64, len(h.Counts))}
	if len(g.prev) == len(h.Counts) {
		for i, c := range h.Counts {
			delta.Counts[i] = c - g.prev[i]
		}
	}
	g.prev = append(g.prev[:0], h.Counts...)
	return delta
}

func (g *schedGovernor) update(h *metrics.Float64Histogram) {
	if h == nil {
		return
	}
	p90, ok := quantile(h, 0.9)
	if !ok {
		return
	}
	limit := g.limit.Load()
	switch {
	case p90 > g.target.Seconds():
		limit = max(g.min, limit*3/4)
	case p90 < g.target.Seconds()/2:
		limit = min(g.max, limit+max(1, limit/8))
	}
	g.limit.Store(limit)
}

// quantile is the lower bound of the bucket that holds the q-quantile of
// h (false: too few samples to tell).
func quantile(h *metrics.Float64Histogram, q float64) (float64, bool) {
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	if total < governorMinSamples {
		return 0, false
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range h.Counts {
		seen += c
		if seen >= rank {
			return max(0, h.Buckets[i]), true // Buckets[i] is the bucket's lower bound (may be -Inf)
		}
	}
	return h.Buckets[len(h.Buckets)-1], true
}
