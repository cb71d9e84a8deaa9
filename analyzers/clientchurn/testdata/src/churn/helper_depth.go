package churn

import (
	"net/http"
	"time"
)

// newTransport is a helper that returns a fresh pool; harmless by itself.
func newTransport() *http.Transport {
	return &http.Transport{IdleConnTimeout: time.Minute}
}

// getHTTPClient wraps the helper: still fresh on every call.
func getHTTPClient() *http.Client {
	return &http.Client{Transport: newTransport()}
}

// callUpstream drops the pool it gets; it is reached per request.
func callUpstream(url string) error {
	c := getHTTPClient() // want `callUpstream creates a new HTTP transport per call and drops it; create it once and reuse it`
	_, err := c.Get(url)
	return err
}

func proxyStep(url string) error { return callUpstream(url) }

func deepHandler(w http.ResponseWriter, r *http.Request) {
	proxyStep("http://upstream") // the report is in callUpstream, with the chain
}
