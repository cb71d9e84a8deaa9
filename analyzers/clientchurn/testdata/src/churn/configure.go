package churn

import "net/http"

// configure runs once per program; only a test calls it in a loop, over
// its cases, and a test's loop does not make it per call.
func configure(url string) {
	c := &http.Client{Transport: &http.Transport{}}
	c.Get(url)
}
