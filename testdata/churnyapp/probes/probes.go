// Package probes checks upstreams with a transport configured from each
// prober's fields, built anew on every call.
package probes

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"time"
)

// Prober checks one target on every metrics scrape. It is exported and
// has no constructor: other packages make it as a literal.
type Prober struct {
	Target   string
	insecure bool
}

// Insecure returns a prober that skips certificate checks.
func Insecure(target string) *Prober { return &Prober{Target: target, insecure: true} }

// Collect checks the target once.
func (p *Prober) Collect() error {
	c := &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: p.insecure}, MaxIdleConnsPerHost: 2},
		Timeout:   2 * time.Second,
	}
	resp, err := c.Get(p.Target)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// checker is a handler that forwards to an upstream it trusts through
// its own roots, which only its constructor sets.
type checker struct {
	upstream string
	roots    *x509.CertPool
}

func newChecker(upstream string, roots *x509.CertPool) *checker {
	c := &checker{upstream: upstream}
	c.roots = roots
	return c
}

func (c *checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: c.roots}}
	resp, err := (&http.Client{Transport: t}).Get(c.upstream)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}
