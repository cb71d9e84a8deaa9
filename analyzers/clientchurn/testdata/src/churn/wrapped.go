package churn

import (
	"net/http"
	"net/http/httputil"
	"net/url"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// The pool is wrapped by instrumentation before use; the wrapper is dropped.
func tracedFetch(w http.ResponseWriter, r *http.Request) {
	base := &http.Transport{} // want `tracedFetch creates a new HTTP transport per call and drops it`
	c := &http.Client{Transport: otelhttp.NewTransport(base)}
	c.Get("http://upstream")
}

// headerRoundTripper is a custom wrapper.
type headerRoundTripper struct {
	next   http.RoundTripper
	header string
}

func (h *headerRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Header.Set("X-Via", h.header)
	return h.next.RoundTrip(r)
}

func wrappedFetch(w http.ResponseWriter, r *http.Request) {
	rt := &headerRoundTripper{next: &http.Transport{}, header: "gw"} // want `wrappedFetch creates a new HTTP transport per call and drops it`
	c := &http.Client{Transport: rt}
	c.Get("http://upstream")
}

// A reverse proxy built per request with its own transport.
func proxyPerRequest(w http.ResponseWriter, r *http.Request) {
	u, _ := url.Parse("http://upstream")
	p := &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
		Transport: &http.Transport{}, // want `proxyPerRequest creates a new HTTP transport per call and drops it`
	}
	p.ServeHTTP(w, r)
}

// sharedProxy wraps a shared transport per request: the proxy is cheap,
// the pool is reused. Not churn.
var sharedTransport = &http.Transport{MaxIdleConnsPerHost: 64}

func proxyShared(w http.ResponseWriter, r *http.Request) {
	p := &httputil.ReverseProxy{Transport: otelhttp.NewTransport(sharedTransport)}
	p.ServeHTTP(w, r)
}
