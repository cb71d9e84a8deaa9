// Package lib is a helper library: its functions are harmless where they
// are, and become churn when another package calls them per request.
package lib

import "net/http"

// NewTransport returns a new pool on every call.
func NewTransport() *http.Transport {
	return &http.Transport{MaxIdleConnsPerHost: 8}
}

// NewClient wraps NewTransport.
func NewClient() *http.Client {
	return &http.Client{Transport: NewTransport()}
}

// Fetch creates a client and drops it: every call churns.
func Fetch(url string) error {
	_, err := NewClient().Get(url)
	return err
}

// Wrap keeps rt only inside the value it returns.
func Wrap(rt http.RoundTripper) http.RoundTripper {
	return &wrapper{next: rt}
}

type wrapper struct{ next http.RoundTripper }

func (w *wrapper) RoundTrip(r *http.Request) (*http.Response, error) { return w.next.RoundTrip(r) }

var registry []http.RoundTripper

// Register keeps rt for the life of the process.
func Register(rt http.RoundTripper) {
	registry = append(registry, rt)
}

// Client owns a pool and can close it.
type Client struct{ hc *http.Client }

// New returns an owner of a fresh pool.
func New() *Client { return &Client{hc: NewClient()} }

func (c *Client) Close() error { c.hc.CloseIdleConnections(); return nil }

func (c *Client) Get(url string) error { _, err := c.hc.Get(url); return err }

// Watch builds a client per item: reported here, where it is created, and
// not again at callers in other packages.
func Watch(urls []string) {
	for _, u := range urls {
		c := &http.Client{Transport: &http.Transport{}} // want `Watch creates a new HTTP transport per call and drops it; create it once and reuse it`
		c.Get(u)
	}
}

// NewSearchClient builds its transport in a literal called on the spot, as
// a config field's initialiser (opensearch-k8s-operator's
// NewOsClusterClient): the client it returns holds a new pool.
func NewSearchClient(rt http.RoundTripper) *http.Client {
	return &http.Client{Transport: func() http.RoundTripper {
		if rt != nil {
			return rt
		}
		return &http.Transport{MaxIdleConnsPerHost: 2}
	}()}
}

// Download churns on every call (kcm's helm.DownloadChart).
func Download(url string) error {
	c := &http.Client{Transport: &http.Transport{}}
	_, err := c.Get(url)
	return err
}

// Actor implements the downloader interface its users declare.
type Actor struct{}

// Download churns on every call.
func (*Actor) Download(url string) error { return Download(url) }
