package fixes

import (
	"crypto/tls"
	"net/http"
)

// Two methods build the same pool the same way: one fix gives them one
// field, built in the constructor.
type twinProbe struct {
	insecure bool
}

func newTwinProbe(insecure bool) *twinProbe {
	return &twinProbe{insecure: insecure}
}

func (p *twinProbe) Gather() {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: p.insecure}} // want `twinProbe.Gather creates a new HTTP transport per call and drops it`
	(&http.Client{Transport: t}).Get("http://a")
}

func (p *twinProbe) Scrape() {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: p.insecure}} // want `twinProbe.Scrape creates a new HTTP transport per call and drops it`
	(&http.Client{Transport: t}).Get("http://b")
}

// The same, lazily (Checker is exported), with receivers named apart:
// each method builds the field through the one sync.Once.
type Checker struct {
	serverName string
}

func (c *Checker) Gather() {
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: c.serverName}} // want `Checker.Gather creates a new HTTP transport per call and drops it`
	(&http.Client{Transport: t}).Get("https://a")
}

func (k *Checker) Scrape() {
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: k.serverName}} // want `Checker.Scrape creates a new HTTP transport per call and drops it`
	(&http.Client{Transport: t}).Get("https://b")
}
