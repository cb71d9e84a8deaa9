package fixes

import "net/http"

type Proxy struct{}

// A named local pool used only through a client: hoisted, the local kept.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tr := &http.Transport{MaxConnsPerHost: 8} // want `Proxy.ServeHTTP creates a new HTTP transport per call and drops it`
	c := &http.Client{Transport: tr}
	c.Get("http://upstream")
}

// proxyServeHTTPTransport is taken: the fix picks another name.
var proxyServeHTTPTransport = 1
