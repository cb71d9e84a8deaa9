// Package depcache is a dependency as the module cache holds it: its Fetch
// is an operation, per call by its name, and builds a transport each call.
// Its own findings reach no user (TestDependencyChurnAtCaller points
// GOMODCACHE here), so its callers are told.
package depcache

import "net/http"

type Fetcher struct{ url string }

func NewFetcher(url string) *Fetcher { return &Fetcher{url: url} }

func (f *Fetcher) Fetch() error {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(f.url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// FetchStatus is another operation building its own transport each call.
func (f *Fetcher) FetchStatus() error {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Head(f.url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
