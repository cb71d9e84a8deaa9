package demoupstream

import (
	"net"
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ConnStats counts the TCP connections an http.Server accepted and how many
// are open, so that a load test can tell how many new connections its
// clients made (one per request is connection churn). Hook it up with
// srv.ConnState = stats.ConnState.
type ConnStats struct {
	accepted atomic.Int64
	open     atomic.Int64
}

// ConnState is an http.Server ConnState callback.
func (s *ConnStats) ConnState(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.accepted.Add(1)
		s.open.Add(1)
	case http.StateClosed, http.StateHijacked:
		s.open.Add(-1)
	}
}

// Accepted is the number of connections accepted so far.
func (s *ConnStats) Accepted() int64 { return s.accepted.Load() }

// Open is the number of connections currently open.
func (s *ConnStats) Open() int64 { return s.open.Load() }

// MetricsHandler serves the connection counters, with the Go runtime and
// process collectors, in the Prometheus text format on a private registry:
//
//	demo_upstream_connections_accepted_total
//	demo_upstream_connections_open
func (s *ConnStats) MetricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "demo_upstream_connections_accepted_total",
			Help: "TCP connections accepted by the MCP listener.",
		}, func() float64 { return float64(s.Accepted()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "demo_upstream_connections_open",
			Help: "TCP connections of the MCP listener currently open.",
		}, func() float64 { return float64(s.Open()) }),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
