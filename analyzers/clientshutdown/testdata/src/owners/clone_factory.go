package owners

import "net/http"

// cloneFactory keeps its pool only inside the function literal it stores
// (traefik's kerberosRoundTripper): no method of the field can release it.
type cloneFactory struct { // want `cloneFactory keeps an HTTP transport in cloneFactory.newRT .*add CloseIdleConnections\(\), which http.Client.CloseIdleConnections calls on its Transport, that calls CloseIdleConnections\(\) on the pool newRT captures \| no automatic fix: the pool is captured by the function stored in newRT \(a factory\), and nothing can reach it there to release it`
	newRT func() http.RoundTripper
}

func newCloneFactory() *cloneFactory {
	t := &http.Transport{MaxIdleConnsPerHost: 8}
	return &cloneFactory{newRT: func() http.RoundTripper { return t.Clone() }}
}

func (c *cloneFactory) RoundTrip(r *http.Request) (*http.Response, error) {
	return c.newRT().RoundTrip(r)
}
