package churn

import (
	"net/http"
	"time"
)

var upstreamTransport = &http.Transport{MaxIdleConnsPerHost: 64}

// A per-call client around a shared transport, or on the default
// transport, is cheap: not churn.
func perCallTimeout(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: upstreamTransport, Timeout: 3 * time.Second}
	c.Get("http://upstream")
	d := &http.Client{Timeout: time.Second}
	d.Get("http://upstream")
	var e http.Client
	e.Get("http://upstream")
}
