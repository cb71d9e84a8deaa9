package fixes

import "net/http"

// A clone of the default transport per call: cloned once instead.
func cloned(w http.ResponseWriter, r *http.Request) {
	t := http.DefaultTransport.(*http.Transport).Clone() // want `cloned creates a new HTTP transport per call and drops it`
	t.RoundTrip(r)
}
