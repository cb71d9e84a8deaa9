// Package fieldtwice has two methods of one type that each build a
// different pool per call from its fields. Their fixes would both rewrite
// the type's declaration, so only the first is offered in a run; the
// second finding says so, and gets its own fix on the next run.
package fieldtwice

import (
	"crypto/tls"
	"net/http"
)

type dualProbe struct {
	insecure bool
}

func newDualProbe(insecure bool) *dualProbe {
	return &dualProbe{insecure: insecure}
}

func (d *dualProbe) Gather() {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: d.insecure}} // want `dualProbe.Gather creates a new HTTP transport per call and drops it`
	(&http.Client{Transport: t}).Get("http://a")
}

func (d *dualProbe) Scrape() {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: d.insecure, ServerName: "b"}} // want `no automatic fix: the fix of dualProbe.Gather adds a field to dualProbe first; apply it, then run the fixes again`
	(&http.Client{Transport: t}).Get("https://b")
}
