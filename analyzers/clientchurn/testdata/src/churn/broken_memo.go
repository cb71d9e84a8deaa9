package churn

import "net/http"

type API struct {
	client *http.Client
}

// client checks the field but assigns the new client to a local: every
// call builds a new pool, and the field stays nil.
func (a *API) httpClient() *http.Client {
	c := a.client
	if c == nil {
		c = &http.Client{Transport: &http.Transport{}} // want `API.httpClient checks a.client for nil but never stores the new HTTP transport in it; assign it to a.client`
	}
	return c
}

// The caller is not reported again: the fix belongs in httpClient.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.httpClient().Get("http://upstream")
}

var defaultClient *http.Client

func globalClient() *http.Client {
	c := defaultClient
	if c == nil {
		c = &http.Client{Transport: &http.Transport{}} // want `globalClient checks defaultClient for nil but never stores the new HTTP transport in it`
	}
	return c
}

// Lazy init that writes back to the field: fine.
func (a *API) lazyClient() *http.Client {
	if a.client == nil {
		a.client = &http.Client{Transport: &http.Transport{}}
	}
	return a.client
}

func (a *API) Gather() { a.lazyClient().Get("http://upstream") }
