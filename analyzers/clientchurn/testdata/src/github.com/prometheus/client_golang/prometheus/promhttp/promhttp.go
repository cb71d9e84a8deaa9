// Package promhttp is a stub of the Prometheus client's HTTP handlers.
package promhttp

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

type HandlerOpts struct{}

// HandlerFor keeps the registry in the handler it returns (a closure in
// the real code), which churnlint reads as keeping it.
func HandlerFor(reg *prometheus.Registry, opts HandlerOpts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reg.Gather() })
}
