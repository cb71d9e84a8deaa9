// Package clean shares one pool: nothing to report.
package clean

import (
	"net/http"
	"time"
)

var transport = &http.Transport{MaxIdleConnsPerHost: 64}

// Handler uses a per-call client on the shared transport.
func Handler(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: transport, Timeout: 2 * time.Second}
	if resp, err := c.Get("http://127.0.0.1:9/"); err == nil {
		resp.Body.Close()
	}
}
