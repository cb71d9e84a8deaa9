// Package otelhttp is a stub of the OpenTelemetry net/http instrumentation.
package otelhttp

import "net/http"

type Transport struct {
	rt   http.RoundTripper
	name string
}

// NewTransport wraps base; it keeps base only inside the value it returns.
func NewTransport(base http.RoundTripper) *Transport {
	t := &Transport{rt: base, name: "otel"}
	return t
}

func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) { return t.rt.RoundTrip(r) }
