package fixes

import (
	"crypto/tls"
	"net/http"
)

// statsExporter's constructor returns the literal: it is named, so that
// the pool can be built from the fields just set. Collect is no lifecycle
// method, so no release method is added.
type statsExporter struct {
	url      string
	insecure bool
}

func newStatsExporter(url string, insecure bool) (*statsExporter, error) {
	return &statsExporter{url: url, insecure: insecure}, nil
}

func (e *statsExporter) Collect() {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: e.insecure}} // want `statsExporter.Collect creates a new HTTP transport per call and drops it`
	c := &http.Client{Transport: t}
	c.Get(e.url)
}
