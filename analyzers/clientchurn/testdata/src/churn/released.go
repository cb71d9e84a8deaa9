package churn

import "net/http"

// Closing the per-call transport stops the leak, not the churn.
func closedEachTime(w http.ResponseWriter, r *http.Request) {
	t := &http.Transport{} // want `closedEachTime creates a new HTTP transport per call and closes it; create it once and reuse it`
	defer t.CloseIdleConnections()
	c := &http.Client{Transport: t}
	c.Get("http://upstream")
}

// Closing through the client counts too.
func closedViaClient(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{}} // want `closedViaClient creates a new HTTP transport per call and closes it`
	c.Get("http://upstream")
	c.CloseIdleConnections()
}
