package churn

import "net/http"

// A function that takes an optional client and builds one only when the
// caller passed none: whether it churns depends on the caller. Quiet.
func fetchWith(c *http.Client, url string) error {
	if c == nil {
		c = &http.Client{Transport: &http.Transport{}}
	}
	_, err := c.Get(url)
	return err
}

func optionalHandler(w http.ResponseWriter, r *http.Request) {
	fetchWith(apiClient, "http://upstream")
}
