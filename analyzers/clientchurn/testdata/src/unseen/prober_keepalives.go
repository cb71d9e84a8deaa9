package unseen

import (
	"net/http"

	pconfig "github.com/prometheus/common/config"
)

// ProbeHTTPHandler probes a target per request, as blackbox_exporter's
// ProbeHTTP does: the client it builds closes every connection after its
// request (WithKeepAlivesDisabled), so dropping it strands no idle pool.
func ProbeHTTPHandler(w http.ResponseWriter, r *http.Request) {
	client, err := pconfig.NewClientFromConfig(pconfig.HTTPClientConfig{}, "http_probe", pconfig.WithKeepAlivesDisabled())
	if err != nil {
		return
	}
	resp, err := client.Get(r.FormValue("target"))
	if err == nil {
		_ = resp.Body.Close()
	}
}

// ScrapeHandler builds the same client with keep-alives on: its idle pool
// is dropped on every request.
func ScrapeHandler(w http.ResponseWriter, r *http.Request) {
	client, err := pconfig.NewClientFromConfig(pconfig.HTTPClientConfig{}, "scrape") // want `ScrapeHandler creates a new HTTP transport per call and drops it`
	if err != nil {
		return
	}
	resp, err := client.Get(r.FormValue("target"))
	if err == nil {
		_ = resp.Body.Close()
	}
}
