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
