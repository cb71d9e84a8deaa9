package gateway

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/metrics"
)

// Admission scopes (metrics labels).
const (
	scopeGateway  = "gateway"
	scopeUpstream = "upstream"
)

// Refusal reasons (metrics labels).
const (
	reasonFull    = "full"    // max_queue requests were waiting already
	reasonTimeout = "timeout" // no slot within queue_timeout
	reasonCPU     = "cpu"     // over the bound the CPU allows (admission.max_sched_latency)
	// reasonWait: the requests ahead of it in the queue would not get
	// their slots within its queue budget, at the rate slots were given
	// back lately: refused at once, not after waiting for nothing.
	reasonWait = "wait"
)

// admitter bounds the requests of one scope in flight at once. A request
// that finds every slot taken waits for one at most timeout, and only if
// fewer than maxQueue wait already: the wait, the queue and so the
// goroutines and memory of an overload are all bounded.
type admitter struct {
	slots    chan struct{}
	waiting  atomic.Int64
	maxQueue int64
	timeout  time.Duration
	// governor, if set, lowers the bound while the process is short of
	// CPU; beyond it a request is refused at once (waiting for a slot
	// would be waiting for a CPU).
	governor *schedGovernor
	admitted atomic.Int64
	released atomic.Int64 // slots given back, ever
	// turnover is the rate slots were given back lately, which says how
	// long a request entering the queue would wait.
	turnover turnover

	full, timedOut, overCPU, wontClear prometheus.Counter
	inFlight, queued, limit            prometheus.Gauge
}

func newAdmitter(m *metrics.Metrics, scope, upstream string, maxInFlight, maxQueue int, timeout time.Duration) *admitter {
	return &admitter{
		slots: make(chan struct{}, maxInFlight), maxQueue: int64(maxQueue), timeout: timeout,
		full:      m.AdmissionRejected.WithLabelValues(scope, upstream, reasonFull),
		timedOut:  m.AdmissionRejected.WithLabelValues(scope, upstream, reasonTimeout),
		overCPU:   m.AdmissionRejected.WithLabelValues(scope, upstream, reasonCPU),
		wontClear: m.AdmissionRejected.WithLabelValues(scope, upstream, reasonWait),
		inFlight:  m.AdmissionInFlight.WithLabelValues(scope, upstream),
		queued:    m.AdmissionQueued.WithLabelValues(scope, upstream),
		limit:     m.AdmissionLimit.WithLabelValues(scope, upstream),
	}
}

// acquire takes a slot; false means refused (and counted). A request that
// finds none waits for one until queueUntil at the latest: the end of its
// queue budget (admission.queue_timeout from its arrival, which waits in
// the gateway's and an upstream's queue share), and not at all once that
// has passed.
func (a *admitter) acquire(ctx context.Context, queueUntil time.Time) bool {
	if a.governor != nil {
		limit := a.governor.current(time.Now())
		a.limit.Set(float64(limit))
		if a.admitted.Load() >= limit {
			a.overCPU.Inc()
			return false
		}
	}
	select {
	case a.slots <- struct{}{}:
		a.admitted.Add(1)
		a.inFlight.Inc()
		return true
	default:
	}
	if a.timeout <= 0 || a.waiting.Add(1) > a.maxQueue {
		if a.timeout > 0 {
			a.waiting.Add(-1)
		}
		a.full.Inc()
		return false
	}
	defer a.waiting.Add(-1)
	now := time.Now()
	wait := queueUntil.Sub(now)
	if wait <= 0 {
		a.timedOut.Inc()
		return false
	}
	// Under overload the queue is full all the time, and a request that
	// enters it behind more than the slots given back in its budget would
	// only be refused later: a refusal held queue_timeout, then waiting
	// for a CPU to be written. Refuse it now.
	if !a.turnover.clears(a.waiting.Load(), wait, now, a.released.Load()) {
		a.wontClear.Inc()
		return false
	}
	a.queued.Inc()
	defer a.queued.Dec()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		a.admitted.Add(1)
		a.inFlight.Inc()
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	a.timedOut.Inc()
	return false
}

func (a *admitter) release() {
	a.admitted.Add(-1)
	<-a.slots
	a.released.Add(1)
	a.inFlight.Dec()
}

// turnover estimates how fast an admitter's slots are given back, from
// its count of releases, sampled by the requests that would queue (no
// clock read on the path of a request that finds a slot free).
type turnover struct {
	mu     sync.Mutex // taken only by requests about to queue
	at     time.Time  // last sample
	count  int64      // releases at the last sample
	perSec float64    // smoothed release rate, while known
	known  bool
}

// Samples closer together than turnoverMinWindow keep the last estimate;
// one older than turnoverMaxAge says nothing about now.
const (
	turnoverMinWindow = 10 * time.Millisecond
	turnoverMaxAge    = time.Second
)

// turnoverMargin is how much faster than its budget a queued request's
// turn must come at the recent rate: the rate is an average, and on a
// machine short of CPU it stalls; a request let in at the edge of its
// budget is refused after waiting all of it (a refusal that takes
// queue_timeout) as often as not.
const turnoverMargin = 4

// clears reports whether a request at position (1: first) in the queue
// would likely get a slot within wait: position slots given back at the
// recent rate within wait / turnoverMargin. Without a recent rate it says
// yes: the request waits and finds out, as before any was measured.
func (t *turnover) clears(position int64, wait time.Duration, now time.Time, released int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch elapsed := now.Sub(t.at); {
	case t.at.IsZero() || elapsed > turnoverMaxAge:
		t.at, t.count, t.known = now, released, false
	case elapsed >= turnoverMinWindow:
		rate := float64(released-t.count) / elapsed.Seconds()
		if t.known {
			rate = (t.perSec + rate) / 2
		}
		t.at, t.count, t.perSec, t.known = now, released, rate, true
	}
	return !t.known || float64(position) <= t.perSec*wait.Seconds()/turnoverMargin
}

// admission holds the gateway's admitter and one per upstream.
type admission struct {
	cfg     config.AdmissionConfig
	metrics *metrics.Metrics
	gateway *admitter

	mu        sync.RWMutex // every routed call looks its upstream's admitter up
	upstreams map[string]*admitter
}

func newAdmission(cfg *config.Config, m *metrics.Metrics) *admission {
	a := cfg.Admission
	gw := newAdmitter(m, scopeGateway, "", a.MaxInFlight, a.MaxQueue, a.QueueTimeout)
	gw.limit.Set(float64(a.MaxInFlight))
	if a.MaxSchedLatency > 0 {
		gw.governor = newSchedGovernor(a.MaxSchedLatency, a.MaxInFlight)
	}
	return &admission{
		cfg: a, metrics: m, upstreams: map[string]*admitter{},
		gateway: gw,
	}
}

// upstream returns up's admitter, made on first use with the bound the
// upstream has in cfg (an upstream a reload added gets its own then; a
// changed bound applies after a restart).
func (a *admission) upstream(up string, cfg *config.Config) *admitter {
	a.mu.RLock()
	ad, ok := a.upstreams[up]
	a.mu.RUnlock()
	if ok {
		return ad
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if ad, ok := a.upstreams[up]; ok {
		return ad
	}
	limit := cfg.Pool.UpstreamMaxInFlight()
	for _, u := range cfg.Upstreams {
		if u.Name == up && u.MaxInFlight > 0 {
			limit = u.MaxInFlight
		}
	}
	ad = newAdmitter(a.metrics, scopeUpstream, up, limit, min(a.cfg.MaxQueue, limit), a.cfg.QueueTimeout)
	ad.limit.Set(float64(limit))
	a.upstreams[up] = ad
	return ad
}

// refuse answers a request admission control turned away: 503, when to
// come back, and a JSON-RPC error against the request's id when its body
// was read already (an upstream's refusal; the gateway's refuses before
// reading it, so its id is null).
func (a *admission) refuse(w http.ResponseWriter, r *http.Request, what string) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((a.cfg.RetryAfter+time.Second-1)/time.Second))))
	e := &jsonrpc.Error{Code: jsonrpc.CodeOverloaded, Message: what + " is at capacity, retry later"}
	if msg, ok := jsonrpc.FromContext(r); ok {
		e.ID = msg.ID
	}
	jsonrpc.WriteError(w, http.StatusServiceUnavailable, e)
}

// gatewaySlot is the gateway-scope slot a request holds, released once:
// when the request ends, or as soon as its body shows a notification
// stream (subscriptions/listen), which lasts as long as its session.
type gatewaySlot struct {
	a    *admitter
	done bool // only the request's goroutine touches it
	// queueUntil ends the request's queue budget: what it has left of
	// it after the gateway's queue is what it may wait in an upstream's.
	queueUntil time.Time
}

// queueUntil is the end of r's queue budget (a request the gateway scope
// did not count, a GET, gets a whole one).
func (a *admission) queueUntil(r *http.Request) time.Time {
	if slot, ok := r.Context().Value(gatewaySlotKey{}).(*gatewaySlot); ok {
		return slot.queueUntil
	}
	return time.Now().Add(a.cfg.QueueTimeout)
}

func (s *gatewaySlot) release() {
	if !s.done {
		s.done = true
		s.a.release()
	}
}

type gatewaySlotKey struct{}

// admit bounds the gateway's short requests in flight. It runs after
// authentication (an unauthenticated caller never holds a slot, nor learns
// the gateway is busy) and before the body is read, so that a refusal
// costs no read and no decode of the body: under overload the gateway
// spends next to nothing on the work it turns away. GET streams are not
// counted; a POST that turns out to be a stream gives its slot back in
// streamsLeave.
func (g *Gateway) admit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		queueUntil := time.Now().Add(g.admission.cfg.QueueTimeout)
		if !g.admission.gateway.acquire(r.Context(), queueUntil) {
			g.discardBody(w, r)
			g.admission.refuse(w, r, "the gateway")
			return
		}
		slot := &gatewaySlot{a: g.admission.gateway, queueUntil: queueUntil}
		defer slot.release()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), gatewaySlotKey{}, slot)))
	})
}

// discardBody skips what has arrived of the body of a request refused
// before it was read (net/http would otherwise wait for all of it before
// writing the answer), and waits for none of the rest: a read deadline
// already passed lets only what the connection buffered through. A client
// that sent its body with its headers (every HTTP client does for a body
// this small) keeps its connection; the refusal of any other is as fast,
// and closes the connection.
func (g *Gateway) discardBody(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return
	}
	rc := http.NewResponseController(w)
	bounded := rc.SetReadDeadline(time.Unix(1, 0)) == nil
	_, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, g.cfg.MaxBodyBytes))
	if bounded {
		_ = rc.SetReadDeadline(time.Time{})
	}
	if err != nil || !bounded {
		w.Header().Set("Connection", "close")
	}
}

// streamsLeave gives the gateway-scope slot back for a request whose body
// (now read by jsonrpc.Guard) opens a notification stream.
func (g *Gateway) streamsLeave(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) {
			if slot, ok := r.Context().Value(gatewaySlotKey{}).(*gatewaySlot); ok {
				slot.release()
			}
		}
		next.ServeHTTP(w, r)
	})
}
