// Package server answers requests by calling an upstream.
package server

import (
	"io"
	"net/http"
	"time"
)

// Fetch builds a transport with a constant configuration on every request.
func Fetch(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 5 * time.Second}
	resp, err := c.Get("http://127.0.0.1:9/data")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(w, resp.Body)
}

// Probe builds a transport per request too; this one is known and accepted.
func Probe(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Second}} //nolint:churnlint // probes are rare; accepted
	resp, err := c.Get("http://127.0.0.1:9/probe")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = resp.Body.Close()
}
