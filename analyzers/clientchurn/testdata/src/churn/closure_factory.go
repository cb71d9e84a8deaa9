package churn

import "net/http"

// proxyHandler runs once; the function literal it returns runs per request.
func proxyHandler(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t := &http.Transport{} // want `proxyHandler.func1 creates a new HTTP transport per call and drops it \(proxyHandler.func1 -> &http.Transport\{\}; proxyHandler.func1 handles an HTTP request\)`
		t.RoundTrip(r)
	}
}

// dialerFor returns a function literal that is not a handler: it still
// runs on every call of the result.
func dialerFor(url string) func() error {
	return func() error {
		c := &http.Client{Transport: &http.Transport{}} // want `dialerFor.func1 creates a new HTTP transport per call and drops it \(dialerFor.func1 -> &http.Transport\{\}; dialerFor.func1 is returned by dialerFor and runs on every call of the result\)`
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
