package fixes

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

// Prober is exported: other packages can make one without a constructor,
// so the pool is built on the first call, once per Prober; it gets a
// Close that releases it.
type Prober struct {
	roots *x509.CertPool
}

func (p *Prober) RoundTrip(r *http.Request) (*http.Response, error) {
	t := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.roots}} // want `Prober.RoundTrip creates a new HTTP transport per call and drops it`
	return t.RoundTrip(r)
}
