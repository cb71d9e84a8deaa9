package fixes

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"net/http"
)

// A field that a setter changes after construction: a pool built once
// would keep the old value.
type reloadingProxy struct{ roots *x509.CertPool }

func newReloadingProxy() *reloadingProxy { return &reloadingProxy{} }

func (l *reloadingProxy) SetRoots(p *x509.CertPool) { l.roots = p }

func (l *reloadingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: l.roots}} // want `no automatic fix: its configuration reads l.roots, which SetRoots changes after the reloadingProxy is built \(field_no_fix.go:16\): a pool built once would keep the old value`
	t.RoundTrip(r)
}

// A value receiver: a field set once would be set on a copy.
type valueScraper struct{ insecure bool }

func (v valueScraper) Scrape() {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: v.insecure}} // want `no automatic fix: its configuration reads fields of v, and Scrape has a value receiver`
	(&http.Client{Transport: t}).Get("http://upstream")
}

// An exported field of an exported type: other packages may change it.
type Collector struct{ Insecure bool }

func (c *Collector) Gather() {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: c.Insecure}} // want `no automatic fix: its configuration reads c.Insecure, which other packages may change after the Collector is built`
	(&http.Client{Transport: t}).Get("http://upstream")
}

// The type itself is made per request: a pool per value is a pool per
// request. One pool per host is the fix, and it is the reader's to write.
type perRequest struct{ host string }

func newPerRequest(host string) *perRequest { return &perRequest{host: host} }

func (p *perRequest) fetch() {
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: p.host}} // want `no automatic fix: its configuration reads fields of the perRequest, and newPerRequest makes one per call \(perRequestHandler handles an HTTP request\): a pool per perRequest would be built as often; keep one pool per distinct configuration instead`
	(&http.Client{Transport: t}).Get("https://" + p.host)
}

func perRequestHandler(w http.ResponseWriter, r *http.Request) {
	newPerRequest(r.Host).fetch()
}

// Package state set at run time, not by init: a package-level var would
// keep the value it had at initialisation.
var serverName string

func configure(name string) { serverName = name }

func namedFetch(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{TLSClientConfig: &tls.Config{ServerName: serverName}} // want `no automatic fix: its configuration reads serverName, which configure sets \(field_no_fix.go:58`
	t.RoundTrip(r)
}

// A flag: set by flag.Parse, after initialisation.
var insecure = flag.Bool("insecure", false, "skip TLS verification")

func flagFetch(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: *insecure}} // want `no automatic fix: its configuration reads \*insecure, which may be set after the package is initialised \(a flag, say`
	t.RoundTrip(r)
}
