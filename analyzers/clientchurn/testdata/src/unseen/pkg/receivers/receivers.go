// Package receivers is grafana/alerting's receivers package before its fix:
// the function that sends a notification is a package variable, so tests
// can stub it, and it builds a transport on every send.
package receivers

import "net/http"

// SendHTTPRequest sends one notification.
var SendHTTPRequest = func(url string) error {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Post(url, "application/json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Shared sends through the default transport: no pool of its own.
var Shared = func(url string) error {
	resp, err := http.Post(url, "application/json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
