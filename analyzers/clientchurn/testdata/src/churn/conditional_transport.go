package churn

import (
	"crypto/tls"
	"net/http"
)

// An empty client whose Transport is assigned afterwards, on one branch.
func insecureFetch(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{}
	if r.URL.Query().Get("insecure") != "" {
		c.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // want `insecureFetch creates a new HTTP transport per call and drops it`
	}
	c.Get("https://upstream")
}
