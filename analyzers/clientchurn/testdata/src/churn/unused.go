package churn

import (
	"net/http"

	cleanhttp "github.com/hashicorp/go-cleanhttp"
)

// A pool built only to read a field from (vault's api.ParseAddress) never
// opens a connection: not churn.
func dialFrom(w http.ResponseWriter, r *http.Request) {
	t := http.DefaultTransport.(*http.Transport)
	t2 := &http.Transport{}
	t2.DialContext = cleanhttp.DefaultPooledTransport().DialContext
	_ = t
}

// Keep-alives disabled: every connection closes after its request, so a
// transport per call keeps no idle pool. Not churn; nor is cleanhttp's
// non-pooled DefaultClient, built the same way.
func noKeepAlive(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c.Get("http://upstream")
	cleanhttp.DefaultClient().Get("http://upstream")
}
