package unseen

import (
	"net/http"
	"net/http/httputil"
	"net/url"
)

type Forwarder struct {
	target   *url.URL
	fallback http.Handler
}

// Every value h can hold is known here: a proxy on a per-request
// transport, or the fallback. Handing it to h.ServeHTTP keeps nothing.
func (f *Forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var h http.Handler
	if r.Header.Get("Upgrade") == "" {
		rt := &http.Transport{DisableCompression: true} // want `Forwarder.ServeHTTP creates a new HTTP transport per call and drops it`
		h = &httputil.ReverseProxy{Transport: rt, Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(f.target) }}
	} else {
		h = f.fallback
	}
	h.ServeHTTP(w, r)
}
