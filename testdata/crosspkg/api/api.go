// Package api serves requests through an interface whose implementation,
// in an imported package, dials per call.
package api

import (
	"net/http"

	"example.com/crosspkg/clients"
)

// ClientMaker is what the handler asks for a client, on every request.
type ClientMaker interface {
	NewClient(addr string) (*http.Client, error)
}

type Handler struct{ mk ClientMaker }

func New() *Handler { return &Handler{mk: clients.Dialer{}} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := h.mk.NewClient("http://backend")
	if err != nil {
		return
	}
	if resp, err := c.Get("http://backend" + r.URL.Path); err == nil {
		resp.Body.Close()
	}
}
