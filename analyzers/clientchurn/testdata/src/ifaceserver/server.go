// Package ifaceserver calls the store factories per request, through their
// interfaces: which implementation runs is decided in main.
package ifaceserver

import (
	"context"
	"net/http"

	"ifacestore"
)

type Server struct {
	writers  ifacestore.WriterFactory
	sessions ifacestore.SessionFactory
}

func New(w ifacestore.WriterFactory, s ifacestore.SessionFactory) *Server {
	return &Server{writers: w, sessions: s}
}

// writerFor is a helper between the handler and the factory: the
// factory's result is handed back, and the handler drops it.
func (s *Server) writerFor(r *http.Request) ifacestore.Writer {
	w, err := s.writers.NewWriter(r.URL.Query().Get("store"))
	if err != nil {
		return nil
	}
	return w
}

func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := s.writerFor(r)
	names, _ := w.List()
	for _, n := range names {
		rw.Write([]byte(n))
	}
}

// Sessions closes what it opens: whatever the implementation makes is
// released per request.
type Sessions struct{ S *Server }

func (h Sessions) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	sess, err := h.S.sessions.Open(r.URL.Query().Get("store"))
	if err != nil {
		return
	}
	defer sess.Close()
	sess.List()
}

// Startup opens one writer, once: not per call.
func Startup(f ifacestore.WriterFactory) (ifacestore.Writer, error) {
	return f.NewWriter("default")
}

// Stats implements a gRPC service whose registration this package never
// sees: its methods still run per call.
type Stats struct{ Target string }

func (s *Stats) Stats(ctx context.Context, name string) (int, error) {
	c := &http.Client{Transport: &http.Transport{}} // want `Stats.Stats creates a new HTTP transport per call and drops it`
	resp, err := c.Get(s.Target + name)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

var _ ifacestore.StatsServer = (*Stats)(nil)
