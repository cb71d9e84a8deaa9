package churn

import "net/http"

// Handler builds a client with its own transport for every request.
type Handler struct{ upstream string }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 10}} // want `Handler.ServeHTTP creates a new HTTP transport per call and drops it; create it once and reuse it`
	resp, err := c.Get(h.upstream)
	if err == nil {
		resp.Body.Close()
	}
}

// handleFunc is a plain handler function.
func handleFunc(w http.ResponseWriter, r *http.Request) {
	t := new(http.Transport) // want `handleFunc creates a new HTTP transport per call and drops it; create it once and reuse it`
	t.RoundTrip(r)
}

// ValueHandler has a value receiver: assigning h.client changes a copy, so
// the "cache" is lost when ServeHTTP returns.
type ValueHandler struct{ client *http.Client }

func (h ValueHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.client == nil {
		h.client = &http.Client{Transport: &http.Transport{}} // want `ValueHandler.ServeHTTP creates a new HTTP transport per call and drops it`
	}
	h.client.Get("http://example.com")
}

// cheapHandler uses a per-call client on the default transport: not churn.
func cheapHandler(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Timeout: 5}
	c.Get("http://example.com")
}
