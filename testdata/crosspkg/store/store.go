// Package store serves requests through a Backend interface whose
// implementation lives in a package that imports this one (a plugin
// registering itself): the handler cannot see it.
package store

import "net/http"

// Backend is what the handler opens per request.
type Backend interface {
	Open(name string) (Conn, error)
}

// Conn is an open backend; it has no Close.
type Conn interface {
	Fetch(path string) error
}

var backend Backend

// Register is how a plugin plugs itself in.
func Register(b Backend) { backend = b }

type Handler struct{}

func (Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := backend.Open(r.URL.Query().Get("store"))
	if err != nil {
		return
	}
	c.Fetch(r.URL.Path)
}
