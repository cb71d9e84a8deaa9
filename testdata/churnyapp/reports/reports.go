// Package reports fetches a report from an upstream on every request, with
// a transport built for that request.
package reports

import (
	"io"
	"net/http"
	"time"
)

// Upstream is where reports come from; tests point it at a local server.
var Upstream = "http://127.0.0.1:9/report"

// Handler proxies one report.
func Handler(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 8, IdleConnTimeout: 30 * time.Second},
		Timeout:   2 * time.Second,
	}
	resp, err := c.Get(Upstream)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}
