// Package handlers serves requests by calling upstreams.
package handlers

import (
	"io"
	"net/http"
	"time"

	"example.com/churnyapp/upstream"
)

// Proxy forwards each request with a client it builds for that request.
type Proxy struct{ Target string }

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := upstream.NewClient(5 * time.Second)
	resp, err := c.Get(p.Target + r.URL.Path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// Health pings the upstream on every request.
func Health(w http.ResponseWriter, r *http.Request) {
	if err := upstream.Ping("http://127.0.0.1:9/health"); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	}
}

// Metrics builds a transport per request and closes it: no leak, but no reuse.
func Metrics(w http.ResponseWriter, r *http.Request) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	defer t.CloseIdleConnections()
	c := &http.Client{Transport: t}
	if resp, err := c.Get("http://127.0.0.1:9/metrics"); err == nil {
		resp.Body.Close()
	}
}
