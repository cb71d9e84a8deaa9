package fixes

import "net/http"

type API struct{ client *http.Client }

func (a *API) httpClient() *http.Client {
	c := a.client
	if c == nil {
		c = &http.Client{Transport: &http.Transport{}} // want `API.httpClient checks a.client for nil but never stores the new HTTP transport in it`
	}
	return c
}
