// Package ifaceplugin implements the store factories. It imports the server
// (to register itself), so the server's facts reach it.
package ifaceplugin

import (
	"net/http"

	"ifaceserver"
	"ifacestore"
)

var shared = &http.Client{Transport: &http.Transport{}}

type remoteWriter struct{ c *http.Client }

func (w *remoteWriter) List() ([]string, error) { return nil, nil }

// freshFactory makes a client with its own transport for every writer:
// the server calls it per request and drops the writer.
type freshFactory struct{}

func (freshFactory) NewWriter(addr string) (ifacestore.Writer, error) {
	c := &http.Client{Transport: &http.Transport{}} // want `freshFactory.NewWriter makes a new HTTP transport per call that Server.ServeHTTP drops; create it once and share it`
	return &remoteWriter{c: c}, nil
}

// sharedFactory hands out the shared client: quiet.
type sharedFactory struct{}

func (sharedFactory) NewWriter(addr string) (ifacestore.Writer, error) {
	return &remoteWriter{c: shared}, nil
}

type session struct{ c *http.Client }

func (s *session) List() ([]string, error) { return nil, nil }
func (s *session) Close() error {
	s.c.CloseIdleConnections()
	return nil
}

// sessionFactory makes a fresh client per session, which the server
// closes per request: no dropped pool (the churn of a pool closed per
// call is not seen through interfaces).
type sessionFactory struct{}

func (sessionFactory) Open(addr string) (ifacestore.Session, error) {
	return &session{c: &http.Client{Transport: &http.Transport{}}}, nil
}

func Register() *ifaceserver.Server {
	return ifaceserver.New(freshFactory{}, sessionFactory{})
}
