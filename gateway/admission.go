package gateway

import (
	"context"
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

	full, timedOut prometheus.Counter
	inFlight       prometheus.Gauge
}

func newAdmitter(m *metrics.Metrics, scope, upstream string, maxInFlight, maxQueue int, timeout time.Duration) *admitter {
	return &admitter{
		slots: make(chan struct{}, maxInFlight), maxQueue: int64(maxQueue), timeout: timeout,
		full:     m.AdmissionRejected.WithLabelValues(scope, upstream, reasonFull),
		timedOut: m.AdmissionRejected.WithLabelValues(scope, upstream, reasonTimeout),
		inFlight: m.AdmissionInFlight.WithLabelValues(scope, upstream),
	}
}

// acquire takes a slot; false means refused (and counted).
func (a *admitter) acquire(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
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
	t := time.NewTimer(a.timeout)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		a.inFlight.Inc()
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	a.timedOut.Inc()
	return false
}

func (a *admitter) release() {
	<-a.slots
	a.inFlight.Dec()
}

// admission holds the gateway's admitter and one per upstream.
type admission struct {
	cfg     config.AdmissionConfig
	metrics *metrics.Metrics
	gateway *admitter

	mu        sync.Mutex
	upstreams map[string]*admitter
}

func newAdmission(cfg *config.Config, m *metrics.Metrics) *admission {
	a := cfg.Admission
	return &admission{
		cfg: a, metrics: m, upstreams: map[string]*admitter{},
		gateway: newAdmitter(m, scopeGateway, "", a.MaxInFlight, a.MaxQueue, a.QueueTimeout),
	}
}

// upstream returns up's admitter, made on first use with the bound the
// upstream has in cfg (an upstream a reload added gets its own then; a
// changed bound applies after a restart).
func (a *admission) upstream(up string, cfg *config.Config) *admitter {
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
	ad := newAdmitter(a.metrics, scopeUpstream, up, limit, min(a.cfg.MaxQueue, limit), a.cfg.QueueTimeout)
	a.upstreams[up] = ad
	return ad
}

// refuse answers a request admission control turned away: 503, when to
// come back, and a JSON-RPC error against the request's id.
func (a *admission) refuse(w http.ResponseWriter, r *http.Request, what string) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((a.cfg.RetryAfter+time.Second-1)/time.Second))))
	e := &jsonrpc.Error{Code: jsonrpc.CodeOverloaded, Message: what + " is at capacity, retry later"}
	if msg, ok := jsonrpc.FromContext(r); ok {
		e.ID = msg.ID
	}
	jsonrpc.WriteError(w, http.StatusServiceUnavailable, e)
}

// admit bounds the gateway's short requests in flight (after
// authentication and body validation, so an unauthenticated caller never
// holds a slot, and refusals carry the request's id). Notification
// streams are not counted: they last as long as the session.
func (g *Gateway) admit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !g.admission.gateway.acquire(r.Context()) {
			g.admission.refuse(w, r, "the gateway")
			return
		}
		defer g.admission.gateway.release()
		next.ServeHTTP(w, r)
	})
}
