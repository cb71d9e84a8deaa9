package churn

import "net/http"

// proxyHandler runs once; the function literal it returns runs per request.
func proxyHandler(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := &http.Transport{} // want `proxyHandler.func1 creates a new HTTP transport per call and drops it; create it once and reuse it`
		t.RoundTrip(r)
	}
}

// commandFor returns a function literal that is not a handler: a CLI
// command's Run, say, which runs once. Nothing says it runs per call, so
// it is not reported (a returned literal with a handler signature is).
func commandFor(url string) func() error {
	return func() error {
		c := &http.Client{Transport: &http.Transport{}}
		_, err := c.Get(url)
		return err
	}
}

// sharedProxyHandler creates the pool in the factory, which runs once: the
// literal keeps using it. Not churn.
func sharedProxyHandler(target string) http.HandlerFunc {
	t := &http.Transport{MaxIdleConnsPerHost: 64}
	return func(w http.ResponseWriter, r *http.Request) {
		t.RoundTrip(r)
	}
}
