// Package frontend serves admin requests through the client factory main
// gives it.
package frontend

import (
	"net/http"

	"example.com/wiring/client"
)

// Admin asks another cluster on every request.
type Admin struct{ Clients client.Factory }

func (h *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.Clients.NewRemoteAdminClient(r.URL.Query().Get("cluster"))
	if err := c.Describe(); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}
