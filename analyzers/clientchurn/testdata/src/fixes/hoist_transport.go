package fixes

import (
	"net/http"
	"time"
)

const maxIdle = 32

// The transport depends only on constants: hoisted, the per-call client
// (with its per-call timeout) stays.
func forward(w http.ResponseWriter, r *http.Request, timeout time.Duration) {
	c := &http.Client{
		Transport: &http.Transport{ // want `forward creates a new HTTP transport per call and drops it`
			MaxIdleConnsPerHost: maxIdle,
			IdleConnTimeout:     90 * time.Second,
		},
		Timeout: timeout,
	}
	c.Get("http://upstream")
}
