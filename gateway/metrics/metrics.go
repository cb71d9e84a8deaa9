// Package metrics defines the gateway's Prometheus metrics on a private
// registry, so that several gateways (as in tests) never collide.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "mcp_gateway"

// Metrics holds every collector the gateway updates.
type Metrics struct {
	Registry *prometheus.Registry

	// Requests counts proxied operations by upstream, kind (tool, resource,
	// prompt), downstream name and outcome (ok, error, blocked, denied).
	Requests *prometheus.CounterVec
	// Latency observes end-to-end latency of proxied operations.
	Latency *prometheus.HistogramVec
	// UpstreamErrors counts upstream failures by reason (call, connect,
	// health, refresh).
	UpstreamErrors *prometheus.CounterVec
	// UpstreamUp is 1 while an upstream session is initialised.
	UpstreamUp *prometheus.GaugeVec
	// UpstreamReconnects counts successful (re)initialisations.
	UpstreamReconnects *prometheus.CounterVec
	// PluginVerdicts counts plugin outcomes by plugin, hook and verdict.
	PluginVerdicts *prometheus.CounterVec
	// HTTPRequests counts downstream HTTP requests by route and status.
	HTTPRequests *prometheus.CounterVec
	// HTTPDuration observes how long the gateway held each downstream
	// HTTP request (first handler to last write), by route and status:
	// how fast a 503 refusal was decided is read here, free of whatever
	// the client spent queueing on its side.
	HTTPDuration *prometheus.HistogramVec
	// InFlight is the number of proxied operations currently running.
	InFlight prometheus.Gauge
	// AdmissionRejected counts requests refused with 503 by admission
	// control, by scope ("gateway" or "upstream"), upstream ("" for the
	// gateway scope) and reason ("full": the queue was full, "timeout":
	// no slot within the queue timeout, "wait": refused at once because
	// the queue ahead would not clear within the request's queue budget
	// at the recent release rate, "cpu": over the CPU-following bound).
	AdmissionRejected *prometheus.CounterVec
	// AdmissionInFlight is the number of admitted requests by scope and
	// upstream.
	AdmissionInFlight *prometheus.GaugeVec
	// AdmissionQueued is the number of requests waiting for a slot, by
	// scope and upstream.
	AdmissionQueued *prometheus.GaugeVec
	// AdmissionLimit is the current bound on admitted requests by scope
	// and upstream: max_in_flight, or less while the gateway is short of
	// CPU (admission.max_sched_latency).
	AdmissionLimit *prometheus.GaugeVec

	// The children of Requests/Latency and HTTPRequests/HTTPDuration that
	// every request updates, looked up in the vectors once per label set
	// (a lookup hashes and validates every label value, under a lock):
	// the same label sets the vectors hold, never deleted as theirs are
	// not.
	ops   sync.Map // opKey -> *opSeries
	https sync.Map // httpKey -> *httpSeries

	// Pool statistics, labelled by transport ("shared" or a TLS profile).
	PoolConnsOpened   *prometheus.CounterVec
	PoolConnsReused   *prometheus.CounterVec
	PoolConnsIdle     *prometheus.GaugeVec
	PoolConnsOpen     *prometheus.GaugeVec
	PoolIdleTime      *prometheus.HistogramVec
	PoolIdleReturned  *prometheus.CounterVec
	WebhookDeliveries *prometheus.CounterVec
	WebhookDropped    *prometheus.CounterVec

	OperatorMetrics
}

// New creates and registers every collector, plus the Go and process
// collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "requests_total",
			Help: "Proxied MCP operations by upstream, kind, name and outcome.",
		}, []string{"upstream", "kind", "name", "outcome"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "request_duration_seconds",
			Help:    "Latency of proxied MCP operations.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"upstream", "kind", "name"}),
		UpstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "upstream_errors_total",
			Help: "Upstream failures by upstream and reason.",
		}, []string{"upstream", "reason"}),
		UpstreamUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "upstream_up",
			Help: "1 while the upstream session is initialised, else 0.",
		}, []string{"upstream"}),
		UpstreamReconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "upstream_sessions_started_total",
			Help: "Upstream sessions initialised (first connect and reconnects).",
		}, []string{"upstream"}),
		PluginVerdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "plugin_verdicts_total",
			Help: "Plugin verdicts by plugin, hook (pre, post) and verdict.",
		}, []string{"plugin", "hook", "verdict"}),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "Downstream HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help: "Time the gateway held a downstream HTTP request, by route and status code.",
			// 100us to 6.5s in factors of 2: a refusal takes well under a
			// millisecond, a call what the upstream takes.
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 17),
		}, []string{"route", "code"}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "in_flight_requests",
			Help: "Proxied MCP operations currently in flight.",
		}),
		PoolConnsOpened: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "pool", Name: "connections_opened_total",
			Help: "Requests that had to open a new upstream connection.",
		}, []string{"transport"}),
		PoolConnsReused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "pool", Name: "connections_reused_total",
			Help: "Requests served on a reused upstream connection.",
		}, []string{"transport"}),
		PoolConnsIdle: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "pool", Name: "connections_idle",
			Help: "Upstream connections currently parked in the idle pool.",
		}, []string{"transport"}),
		PoolConnsOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "pool", Name: "connections_open",
			Help: "Upstream TCP connections currently open.",
		}, []string{"transport"}),
		PoolIdleTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "pool", Name: "connection_idle_seconds",
			Help:    "How long a reused connection sat idle before reuse.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}, []string{"transport"}),
		PoolIdleReturned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "pool", Name: "connections_returned_idle_total",
			Help: "Connections returned to the idle pool after a request.",
		}, []string{"transport"}),
		WebhookDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "webhook", Name: "deliveries_total",
			Help: "Webhook delivery attempts by plugin and result.",
		}, []string{"plugin", "result"}),
		AdmissionRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "admission", Name: "rejected_total",
			Help: "Requests refused with 503 by admission control, by scope, upstream and reason.",
		}, []string{"scope", "upstream", "reason"}),
		AdmissionInFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "admission", Name: "in_flight",
			Help: "Requests admitted and not finished, by scope and upstream.",
		}, []string{"scope", "upstream"}),
		AdmissionQueued: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "admission", Name: "queued",
			Help: "Requests waiting for an admission slot, by scope and upstream.",
		}, []string{"scope", "upstream"}),
		AdmissionLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "admission", Name: "limit",
			Help: "Current bound on admitted requests, by scope and upstream (below max_in_flight while short of CPU).",
		}, []string{"scope", "upstream"}),
		WebhookDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "webhook", Name: "dropped_total",
			Help: "Webhook events dropped because the queue was full or closed.",
		}, []string{"plugin"}),
	}
	m.OperatorMetrics = newOperatorMetrics(reg)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.Requests, m.Latency, m.UpstreamErrors, m.UpstreamUp, m.UpstreamReconnects,
		m.PluginVerdicts, m.HTTPRequests, m.HTTPDuration, m.InFlight, m.AdmissionRejected, m.AdmissionInFlight, m.AdmissionQueued, m.AdmissionLimit,
		m.PoolConnsOpened, m.PoolConnsReused, m.PoolConnsIdle, m.PoolConnsOpen,
		m.PoolIdleTime, m.PoolIdleReturned, m.WebhookDeliveries, m.WebhookDropped,
	)
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

type opKey struct{ upstream, kind, name, outcome string }

type opSeries struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

// ObserveRequest records one proxied operation.
func (m *Metrics) ObserveRequest(upstream, kind, name, outcome string, d time.Duration) {
	k := opKey{upstream, kind, name, outcome}
	v, ok := m.ops.Load(k)
	if !ok {
		v, _ = m.ops.LoadOrStore(k, &opSeries{
			count:   m.Requests.WithLabelValues(upstream, kind, name, outcome),
			latency: m.Latency.WithLabelValues(upstream, kind, name),
		})
	}
	ops := v.(*opSeries)
	ops.count.Inc()
	ops.latency.Observe(d.Seconds())
}

type httpKey struct {
	route string
	code  int
	timed bool // the duration is observed too
}

type httpSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer // nil unless timed
}

// ObserveHTTP records one downstream HTTP request of route answered with
// code; held, if not negative, is how long the gateway held it (a label
// set only ever counted has no duration series).
func (m *Metrics) ObserveHTTP(route string, code int, held time.Duration) {
	k := httpKey{route, code, held >= 0}
	v, ok := m.https.Load(k)
	if !ok {
		c := strconv.Itoa(code)
		hs := &httpSeries{count: m.HTTPRequests.WithLabelValues(route, c)}
		if k.timed {
			hs.duration = m.HTTPDuration.WithLabelValues(route, c)
		}
		v, _ = m.https.LoadOrStore(k, hs)
	}
	hs := v.(*httpSeries)
	hs.count.Inc()
	if hs.duration != nil {
		hs.duration.Observe(held.Seconds())
	}
}
