package unseen

import (
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
)

var sharedHTTP = &http.Client{Transport: &http.Transport{}}

// The library's constructor builds a pooled client, and the caller
// installs its own over it before any use: the first pool never opens a
// connection.
func (a *Apache) fetchRetrying(url string) error {
	rc := retryablehttp.NewClient()
	rc.HTTPClient = sharedHTTP
	_, err := rc.Get(url)
	return err
}

func (a *Apache) Collect() { a.fetchRetrying("http://example.com") }

type userAgent struct {
	inner http.RoundTripper
	ua    string
}

func (u *userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Header.Set("User-Agent", u.ua)
	return u.inner.RoundTrip(r)
}

// Wrapping the constructor's pool is not replacing it (terraform's
// httpclient.New, called per provider package in a loop): the new client
// reads the old one's transport, so the pool is still made per iteration.
func installAll(urls []string) {
	for _, u := range urls {
		c := retryablehttp.NewClient() // want `installAll creates a new HTTP client per call and drops it`
		c.HTTPClient = &http.Client{Transport: &userAgent{inner: c.HTTPClient.Transport}}
		c.Get(u)
	}
}
