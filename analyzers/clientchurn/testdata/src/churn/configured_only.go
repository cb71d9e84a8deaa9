package churn

import (
	"net/http"
	"time"

	"golang.org/x/net/http2"
)

// A transport that is only configured for HTTP/2 and never carries a
// request (istio's hbone newServer, built for each double CONNECT) opens
// no connection: not churn.
func innerServer(handle http.HandlerFunc) *http.Server {
	h1 := &http.Transport{ExpectContinueTimeout: 3 * time.Second}
	h2, _ := http2.ConfigureTransports(h1)
	h2.ReadIdleTimeout = 10 * time.Minute
	h2.AllowHTTP = true
	return &http.Server{Handler: handle}
}

func doubleConnect(w http.ResponseWriter, r *http.Request) {
	srv := innerServer(func(w http.ResponseWriter, r *http.Request) {})
	_ = srv
}

// A request through the HTTP/2 side uses the pool: churn.
func h2Proxy(w http.ResponseWriter, r *http.Request) {
	h1 := &http.Transport{} // want `h2Proxy creates a new HTTP transport per call and drops it`
	h2, _ := http2.ConfigureTransports(h1)
	h2.RoundTrip(r)
}
