package metrics

import "github.com/prometheus/client_golang/prometheus"

// OperatorMetrics are the collectors of the operator-facing features:
// stdio upstreams and hot reload.
type OperatorMetrics struct {
	// ProcessStarts counts stdio upstream processes started (first start
	// and every restart).
	ProcessStarts *prometheus.CounterVec
	// ProcessExits counts stdio upstream processes that ended on their
	// own (not stopped by the gateway).
	ProcessExits *prometheus.CounterVec
	// StderrLines counts stderr lines of stdio upstreams written to the
	// log; StderrDropped the lines dropped by the rate limit.
	StderrLines   *prometheus.CounterVec
	StderrDropped *prometheus.CounterVec

	// Reloads counts configuration reloads by trigger (signal, admin,
	// watch) and result (ok, unchanged, invalid, failed).
	Reloads *prometheus.CounterVec
	// ConfigGeneration is incremented by every applied reload.
	ConfigGeneration prometheus.Gauge
	// ConfigLastReload is the Unix time of the last applied reload.
	ConfigLastReload prometheus.Gauge
}

func newOperatorMetrics(reg *prometheus.Registry) OperatorMetrics {
	m := OperatorMetrics{
		ProcessStarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "stdio", Name: "process_starts_total",
			Help: "Stdio upstream processes started, restarts included.",
		}, []string{"upstream"}),
		ProcessExits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "stdio", Name: "process_exits_total",
			Help: "Stdio upstream processes that exited while the gateway needed them.",
		}, []string{"upstream"}),
		StderrLines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "stdio", Name: "stderr_lines_total",
			Help: "Stderr lines of stdio upstreams written to the gateway log.",
		}, []string{"upstream"}),
		StderrDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "stdio", Name: "stderr_lines_dropped_total",
			Help: "Stderr lines of stdio upstreams dropped by the log rate limit.",
		}, []string{"upstream"}),
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "config", Name: "reloads_total",
			Help: "Configuration reloads by trigger and result.",
		}, []string{"trigger", "result"}),
		ConfigGeneration: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "config", Name: "generation",
			Help: "Configuration generation: 1 at startup, +1 per applied reload.",
		}),
		ConfigLastReload: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "config", Name: "last_reload_timestamp_seconds",
			Help: "Unix time of the last applied configuration reload.",
		}),
	}
	m.ConfigGeneration.Set(1)
	reg.MustRegister(m.ProcessStarts, m.ProcessExits, m.StderrLines, m.StderrDropped,
		m.Reloads, m.ConfigGeneration, m.ConfigLastReload)
	return m
}
