package unseen

import (
	"net"
	"net/http"
)

// A literal converted to a function type whose RoundTrip calls it runs
// once per request (dagger's engineconn defaultHTTPClient).
type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func engineClient(port string) *http.Client {
	return &http.Client{Transport: roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		return (&http.Transport{ // want `engineClient.func1 creates a new HTTP transport per call and drops it; create it once and reuse it`
			Dial: func(_, _ string) (net.Conn, error) { return net.Dial("tcp", "127.0.0.1:"+port) },
		}).RoundTrip(r)
	})}
}

// The fix builds the transport once, outside the literal: quiet.
func engineClientFixed(port string) *http.Client {
	t := &http.Transport{Dial: func(_, _ string) (net.Conn, error) { return net.Dial("tcp", "127.0.0.1:"+port) }}
	return &http.Client{Transport: roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		return t.RoundTrip(r)
	})}
}

// A transport per call that keeps no idle connection (MaxIdleConns < 0
// closes each one as it is put back: acorn's fix) strands nothing: quiet.
func registryHandler(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{MaxIdleConns: -1}
	t.RoundTrip(r)
}

// MaxIdleConns: 0 means no limit: reported.
func registryHandlerUnlimited(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{MaxIdleConns: 0} // want `registryHandlerUnlimited creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}
