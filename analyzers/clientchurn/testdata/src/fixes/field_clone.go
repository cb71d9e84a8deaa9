package fixes

import "net/http"

// cloningProxy clones the base transport its constructor was given, on
// every request: the clone is made once, in the constructor.
type cloningProxy struct {
	base *http.Transport
}

func newCloningProxy(base *http.Transport) *cloningProxy {
	return &cloningProxy{base: base}
}

func (c *cloningProxy) RoundTrip(r *http.Request) (*http.Response, error) {
	t := c.base.Clone() // want `cloningProxy.RoundTrip creates a new HTTP transport per call and drops it`
	return t.RoundTrip(r)
}
