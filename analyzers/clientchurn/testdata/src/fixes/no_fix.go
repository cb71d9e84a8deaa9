package fixes

import (
	"crypto/tls"
	"net/http"
)

// Per-call TLS settings: no edit keeps behaviour, the message says how.
func perUpstream(w http.ResponseWriter, r *http.Request) {
	cfg := &tls.Config{ServerName: r.Host}
	t := &http.Transport{TLSClientConfig: cfg} // want `perUpstream creates a new HTTP transport per call and drops it.* \| no automatic fix: its configuration depends on cfg, which can change from call to call: keep one pool per distinct cfg`
	t.RoundTrip(r)
}

// Fields set after creation: sharing would race.
func mutated(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{} // want `no automatic fix: the function sets t.MaxIdleConns on it, which a shared pool must not have`
	t.MaxIdleConns = len(r.Host)
	t.RoundTrip(r)
}

// Closed each call.
func closedEach(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{} // want `no automatic fix: it is closed each call, and a shared pool must not be`
	defer t.CloseIdleConnections()
	t.RoundTrip(r)
}

// A clone of a transport that the request brings along: a package-level
// var cannot name it.
func cloneFromContext(w http.ResponseWriter, r *http.Request) {
	base, _ := r.Context().Value(baseKey{}).(*http.Transport)
	t := base.Clone() // want `no automatic fix: its configuration depends on base, which can change from call to call`
	t.RoundTrip(r)
}

type baseKey struct{}
