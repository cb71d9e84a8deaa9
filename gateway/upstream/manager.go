package upstream

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/pool"
)

// Manager owns every upstream session.
type Manager struct {
	sessions []*Session
	byName   map[string]*Session

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewManager creates a session per upstream, each on the client the pool
// assigns to it. Nothing connects until Start.
func NewManager(cfgs []config.Upstream, p *pool.Pool, m *metrics.Metrics, logger *slog.Logger, onCatalog CatalogFunc) (*Manager, error) {
	mgr := &Manager{byName: map[string]*Session{}}
	for _, cfg := range cfgs {
		s, err := newSession(cfg, p.ClientFor(cfg.Name), m, logger, onCatalog)
		if err != nil {
			return nil, err
		}
		mgr.sessions = append(mgr.sessions, s)
		mgr.byName[cfg.Name] = s
	}
	return mgr, nil
}

// Start launches one supervisor goroutine per upstream.
func (m *Manager) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	for _, s := range m.sessions {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			s.run(ctx)
		}()
	}
}

// Session returns the named session.
func (m *Manager) Session(name string) (*Session, bool) {
	s, ok := m.byName[name]
	return s, ok
}

// Sessions returns every session in configuration order.
func (m *Manager) Sessions() []*Session { return m.sessions }

// Ready reports whether every upstream has been initialised at least once.
func (m *Manager) Ready() bool {
	for _, s := range m.sessions {
		select {
		case <-s.Ready():
		default:
			return false
		}
	}
	return true
}

// WaitReady blocks until Ready or ctx ends.
func (m *Manager) WaitReady(ctx context.Context) error {
	for _, s := range m.sessions {
		select {
		case <-s.Ready():
		case <-ctx.Done():
			return fmt.Errorf("upstream %s not ready: %w", s.Name(), ctx.Err())
		}
	}
	return nil
}

// Statuses reports every session's state.
func (m *Manager) Statuses() []Status {
	out := make([]Status, 0, len(m.sessions))
	for _, s := range m.sessions {
		out = append(out, s.Status())
	}
	return out
}

// Close stops the supervisors, which close their MCP clients (ending
// upstream sessions), and waits for them up to ctx.
func (m *Manager) Close(ctx context.Context) error {
	if m.cancel == nil {
		return nil
	}
	m.cancel()
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("upstream sessions did not close: %w", ctx.Err())
	}
}
