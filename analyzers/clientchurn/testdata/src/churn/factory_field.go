package churn

import "net/http"

// Forwarder calls a client factory stored in a field on every call: the
// factory builds a new pool each time (the MCP gateway's original bug).
type Forwarder struct {
	newClient func() *http.Client
}

func newForwarder() *Forwarder {
	return &Forwarder{newClient: makeClient}
}

func makeClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 100}}
}

func (f *Forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := f.newClient() // want `Forwarder.ServeHTTP creates a new HTTP transport per call and drops it; create it once and reuse it`
	c.Get("http://upstream")
}

// Options carries a factory set by a function literal.
type Options struct {
	Dial func() *http.Transport
}

var defaultOptions = Options{
	Dial: func() *http.Transport { return &http.Transport{} },
}

func forwardWith(o Options, r *http.Request) {
	t := o.Dial() // want `forwardWith creates a new HTTP transport per call and drops it; create it once and reuse it`
	t.RoundTrip(r)
}

func optionHandler(w http.ResponseWriter, r *http.Request) {
	forwardWith(defaultOptions, r)
}
