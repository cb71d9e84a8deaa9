package unseenowners

import (
	"context"
	"net/http"
)

// DataClient owns the pool; Server creates it, keeps it and closes it.
type DataClient struct{ hc *http.Client }

func (d *DataClient) Fetch(ctx context.Context, key string) ([]byte, error) {
	_, err := d.hc.Get("http://data/" + key)
	return nil, err
}

func (d *DataClient) Close() error { d.hc.CloseIdleConnections(); return nil }

// Handler only holds a closure over the server's data client: it is not
// the pool's owner, and has nothing to release.
type Handler struct {
	load func(ctx context.Context, key string) ([]byte, error)
}

type Server struct {
	data    *DataClient
	handler *Handler
}

func NewServer() *Server {
	dc := &DataClient{hc: &http.Client{Transport: &http.Transport{}}}
	return &Server{
		data:    dc,
		handler: &Handler{load: func(ctx context.Context, key string) ([]byte, error) { return dc.Fetch(ctx, key) }},
	}
}

func (s *Server) Close() error { return s.data.Close() }
