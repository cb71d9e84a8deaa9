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
