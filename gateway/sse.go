package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/google/uuid"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
)

// sseSessions binds legacy SSE sessions to the principal that opened them
// (so a leaked session id is useless to another caller) and counts requests
// whose responses have not yet been written to the event stream. With
// HTTP+SSE a POST is answered 202 at once and the real response travels on
// the GET stream later, so graceful shutdown must wait for those writes,
// not for the POSTs.
type sseSessions struct {
	mu       sync.Mutex
	owners   map[string]string // session id -> principal name
	pending  map[string]int    // session id -> responses not yet written
	total    int
	drained  chan struct{} // closed when total drops to 0, if someone waits
	draining bool
}

func newSSESessions() *sseSessions {
	return &sseSessions{owners: map[string]string{}, pending: map[string]int{}}
}

type sseHolderKey struct{}

// holder carries the generated session id from the generator back to the
// GET handler wrapper.
type holder struct{ id string }

// generateID is the SSE server's session id generator: it records the
// session's owner.
func (s *sseSessions) generateID(ctx context.Context, _ *http.Request) (string, error) {
	id := uuid.NewString()
	p, _ := auth.FromContext(ctx)
	name := ""
	if p != nil {
		name = p.Name
	}
	s.mu.Lock()
	s.owners[id] = name
	s.mu.Unlock()
	if h, ok := ctx.Value(sseHolderKey{}).(*holder); ok {
		h.id = id
	}
	return id, nil
}

// stream wraps the GET /sse handler: it watches the events written and
// forgets the session when the stream ends.
func (s *sseSessions) stream(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		h := &holder{}
		r = r.WithContext(context.WithValue(r.Context(), sseHolderKey{}, h))
		next.ServeHTTP(&sseWriter{ResponseWriter: w, sessions: s, holder: h}, r)
		if h.id != "" {
			s.end(h.id)
		}
	})
}

// message wraps POST /message: it checks session ownership and counts
// requests that will be answered on the stream.
func (s *sseSessions) message(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("sessionId")
		p, _ := auth.FromContext(r.Context())
		s.mu.Lock()
		owner, ok := s.owners[id]
		s.mu.Unlock()
		if !ok || p == nil || owner != p.Name {
			// Same answer for unknown and foreign sessions.
			jsonrpc.WriteError(w, http.StatusNotFound, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "unknown session"})
			return
		}
		if msg, ok := jsonrpc.FromContext(r); ok && msg.IsRequest() {
			s.add(id)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *sseSessions) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[id]++
	s.total++
}

func (s *sseSessions) done(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[id] == 0 {
		return
	}
	s.pending[id]--
	s.total--
	s.signalLocked()
}

// end forgets a session whose stream closed: its pending responses can no
// longer be delivered, so waiting for them would only stall shutdown.
func (s *sseSessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total -= s.pending[id]
	delete(s.pending, id)
	delete(s.owners, id)
	s.signalLocked()
}

func (s *sseSessions) signalLocked() {
	if s.total == 0 && s.drained != nil {
		close(s.drained)
		s.drained = nil
	}
}

// wait blocks until every counted response was written or ctx ends.
func (s *sseSessions) wait(ctx context.Context) error {
	s.mu.Lock()
	if s.total == 0 {
		s.mu.Unlock()
		return nil
	}
	if s.drained == nil {
		s.drained = make(chan struct{})
	}
	ch := s.drained
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sseWriter sees every event mcp-go writes to an SSE stream (one Write per
// event) and counts responses as delivered.
type sseWriter struct {
	http.ResponseWriter
	sessions *sseSessions
	holder   *holder
}

var messagePrefix = []byte("event: message\ndata: ")

func (w *sseWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if err == nil && w.holder.id != "" && bytes.HasPrefix(p, messagePrefix) {
		var env struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(bytes.TrimSpace(p[len(messagePrefix):]), &env) == nil && env.Method == "" && len(env.ID) > 0 {
			w.sessions.done(w.holder.id)
		}
	}
	return n, err
}

func (w *sseWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *sseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
