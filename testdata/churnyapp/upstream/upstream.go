// Package upstream builds clients for upstream services. Its helpers are
// fine where they are; the handlers package calls them per request.
package upstream

import (
	"net/http"
	"time"
)

// NewClient returns a client with a new pool on every call.
func NewClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: time.Minute},
		Timeout:   timeout,
	}
}

// Ping creates a client and drops it.
func Ping(url string) error {
	resp, err := NewClient(time.Second).Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
