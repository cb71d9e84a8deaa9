package fixes

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

var upstreamRoots *x509.CertPool

func init() {
	upstreamRoots = x509.NewCertPool()
}

// The pool reads state that init sets: a package-level var would be built
// before init runs, so the pool is built on first use instead.
func secureFetch(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: upstreamRoots}}} // want `secureFetch creates a new HTTP transport per call and drops it`
	c.Get("https://upstream")
}
