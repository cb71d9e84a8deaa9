package unseenowners

import (
	"log"
	"net/http"
)

// loggingRoundTripper logs and forwards to the round tripper it is given
// (mcp-grafana's debugLoggingRoundTripper). BuildTransport wraps the
// caller's base, or a clone made when TLS is configured: the decorator
// lives and dies with the http.Client that holds it, and must not close
// the caller's base. Not reported: a clone made per call is clientchurn's
// finding where it is made.
type loggingRoundTripper struct {
	underlying http.RoundTripper
	logger     *log.Logger
}

func (rt *loggingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.logger.Println(req.Method, req.URL)
	return rt.underlying.RoundTrip(req)
}

func BuildTransport(base http.RoundTripper, withTLS bool) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	transport := base
	if withTLS {
		t, ok := base.(*http.Transport)
		if !ok {
			t = http.DefaultTransport.(*http.Transport)
		}
		transport = t.Clone()
	}
	return &loggingRoundTripper{underlying: transport, logger: log.Default()}
}

// validatingRoundTripper checks each request's URL, then forwards (docker
// mcp-gateway's remoteurl): guardDialer hands back the caller's base when
// it is no *http.Transport, a clone with a guarded dialer otherwise.
type validatingRoundTripper struct {
	base http.RoundTripper
}

func (v *validatingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return v.base.RoundTrip(req)
}

func guardDialer(base http.RoundTripper) http.RoundTripper {
	t, ok := base.(*http.Transport)
	if !ok {
		return base
	}
	return t.Clone()
}

func GuardTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &validatingRoundTripper{base: guardDialer(base)}
}
