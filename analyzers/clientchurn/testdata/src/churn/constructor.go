package churn

import "net/http"

// Service stores its pool in the value its constructor returns: not churn
// where the constructor runs once.
type Service struct {
	client *http.Client
}

func NewService() *Service {
	s := &Service{}
	s.client = &http.Client{Transport: &http.Transport{}}
	return s
}

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.client.Get("http://upstream")
}

var service = NewService()

// newServer runs once at startup and keeps the service.
type Server struct{ svc *Service }

func newServer() *Server { return &Server{svc: NewService()} }

// But a constructor that is in fact called per request is churn.
func perRequestService(w http.ResponseWriter, r *http.Request) {
	svc := NewService() // want `perRequestService creates a new HTTP transport per call and drops it; create it once and reuse it`
	svc.ServeHTTP(w, r)
}
