package unseen

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type probeCollector struct{ c *http.Client }

func (probeCollector) Collect() {}

// ProbeHandler builds a registry per probe request and registers a
// collector holding a new transport: both are dropped when the request
// ends, with the handler serving the registry (elasticsearch_exporter's
// probe endpoint).
func ProbeHandler(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{} // want `ProbeHandler creates a new HTTP transport per call and drops it`
	reg := prometheus.NewRegistry()
	reg.MustRegister(probeCollector{c: &http.Client{Transport: t}})
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// Exporter registers its collector once, in a registry it keeps: quiet.
type Exporter struct{ reg *prometheus.Registry }

func (e *Exporter) Setup(w http.ResponseWriter, r *http.Request) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(probeCollector{c: &http.Client{Transport: &http.Transport{}}})
	e.reg = reg
}
