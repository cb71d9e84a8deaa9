package fixes

import (
	"crypto/tls"
	"net/http"
	"time"
)

// upstreamProxy configures its pool from fields that only its constructor
// sets: the pool is built once, in the constructor, after the last of
// them; and the proxy, a handler, gets a Close that releases it.
type upstreamProxy struct {
	target  string
	tlsConf *tls.Config
	timeout time.Duration
}

func newUpstreamProxy(target string, insecure bool) *upstreamProxy {
	p := &upstreamProxy{target: target}
	p.tlsConf = &tls.Config{InsecureSkipVerify: insecure}
	if insecure {
		p.timeout = 5 * time.Second
	}
	return p
}

func (p *upstreamProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{
		Transport: &http.Transport{TLSClientConfig: p.tlsConf, ResponseHeaderTimeout: p.timeout}, // want `upstreamProxy.ServeHTTP creates a new HTTP transport per call and drops it`
		Timeout:   p.timeout,
	}
	c.Get(p.target)
}
