// Package depcache is a dependency as the module cache holds it: its Fetch
// is an operation, per call by its name, and builds a transport each call.
// Its own findings reach no user (TestDependencyChurnAtCaller points
// GOMODCACHE here), so its callers are told.
package depcache

import (
	"net/http"
	"net/url"
)

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

// OCSPConfig says how to fetch OCSP responses.
type OCSPConfig struct {
	Proxy func(*http.Request) (*url.URL, error)
}

// Staple fetches a staple through http.DefaultClient, or through a client
// of its own when a proxy is configured (certmagic's getOCSPForCert): a
// pool per call only under a setting the caller may never make.
func Staple(cfg OCSPConfig, responder string) error {
	c := http.DefaultClient
	if cfg.Proxy != nil {
		c = &http.Client{Transport: &http.Transport{Proxy: cfg.Proxy}}
	}
	resp, err := c.Get(responder)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
