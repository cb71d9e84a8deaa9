package depuser

import (
	"net/http"

	"depcache"
)

type handler struct{ f *depcache.Fetcher }

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.f.Fetch(); err != nil { // want `handler.ServeHTTP creates a new HTTP transport per call and drops it`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

var statuses = map[string]error{}

// cachedHandler calls the same Fetch only when its cache has no answer for
// the path, and fills it: once per path, not per request. Not reported.
type cachedHandler struct{ f *depcache.Fetcher }

func (h cachedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := statuses[r.URL.Path]; ok {
		return
	}
	statuses[r.URL.Path] = h.f.FetchStatus()
}

// stapler staples per request with no proxy set: the dependency uses
// http.DefaultClient then. Not reported.
type stapler struct{}

func (stapler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = depcache.Staple(depcache.OCSPConfig{}, "http://ocsp.example")
}
