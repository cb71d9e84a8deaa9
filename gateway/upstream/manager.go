package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/pool"
)

// Manager owns every upstream session. A reload adds, replaces and removes
// sessions while the others keep running.
type Manager struct {
	metrics   *metrics.Metrics
	logger    *slog.Logger
	onCatalog CatalogFunc

	// mu guards the session set. Catalog callbacks run under its read
	// lock, so a session that was replaced or removed can never publish
	// after Apply returned.
	mu       sync.RWMutex
	sessions []*Session
	byName   map[string]*Session
	running  map[*Session]*supervisor
	ctx      context.Context // nil until Start
	cancel   context.CancelFunc
	closed   bool
}

// supervisor is one session's run goroutine.
type supervisor struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// NewManager creates a session per upstream, each on the client the pool
// assigns to it. Nothing connects until Start.
func NewManager(cfgs []config.Upstream, p *pool.Pool, m *metrics.Metrics, logger *slog.Logger, onCatalog CatalogFunc) (*Manager, error) {
	mgr := &Manager{metrics: m, logger: logger, onCatalog: onCatalog,
		byName: map[string]*Session{}, running: map[*Session]*supervisor{}}
	for _, cfg := range cfgs {
		s, err := mgr.newSession(cfg, p.ClientFor(cfg.Name))
		if err != nil {
			return nil, err
		}
		mgr.sessions = append(mgr.sessions, s)
		mgr.byName[cfg.Name] = s
	}
	return mgr, nil
}

// newSession builds a session whose catalog reaches onCatalog only while
// it is the registered session for its name.
func (m *Manager) newSession(cfg config.Upstream, httpClient *http.Client) (*Session, error) {
	var s *Session
	publish := func(up string, cat Catalog) {
		m.mu.RLock()
		defer m.mu.RUnlock()
		if m.byName[up] == s && m.onCatalog != nil {
			m.onCatalog(up, cat)
		}
	}
	s, err := newSession(cfg, httpClient, m.metrics, m.logger, publish)
	return s, err
}

// Start launches one supervisor goroutine per upstream.
func (m *Manager) Start() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ctx, m.cancel = context.WithCancel(context.Background())
	for _, s := range m.sessions {
		m.startLocked(s)
	}
}

func (m *Manager) startLocked(s *Session) {
	ctx, cancel := context.WithCancel(m.ctx)
	sup := &supervisor{cancel: cancel, done: make(chan struct{})}
	m.running[s] = sup
	go func() {
		defer close(sup.done)
		s.run(ctx)
	}()
}

// Plan is a reload's upstream changes, checked and built but not applied:
// the new sessions hold nothing until Apply starts them, so an abandoned
// plan needs no cleanup.
type Plan struct {
	added    []*Session // new names
	replaced []*Session // new sessions for existing names
	refilter []refilter
	removed  []string
	order    []string
}

type refilter struct {
	name    string
	cfg     config.Upstream
	filters filters
}

// Empty reports a plan that changes nothing.
func (p *Plan) Empty() bool {
	return len(p.added)+len(p.replaced)+len(p.refilter)+len(p.removed) == 0
}

// Summary names what the plan adds, reconnects, refilters and removes.
func (p *Plan) Summary() (added, reconnected, refiltered, removed []string) {
	for _, s := range p.added {
		added = append(added, s.Name())
	}
	for _, s := range p.replaced {
		reconnected = append(reconnected, s.Name())
	}
	for _, r := range p.refilter {
		refiltered = append(refiltered, r.name)
	}
	return added, reconnected, refiltered, p.removed
}

// Plan diffs the running upstreams against next: unchanged upstreams keep
// their session; an upstream whose only change is its filters keeps its
// session and gets the new filters; any other change replaces the session.
//
// clientFor gives each new session its HTTP client (the pool's plan for
// next).
func (m *Manager) Plan(next []config.Upstream, clientFor func(upstream string) *http.Client) (*Plan, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := &Plan{}
	seen := map[string]bool{}
	for i, cfg := range next {
		seen[cfg.Name] = true
		p.order = append(p.order, cfg.Name)
		old, ok := m.byName[cfg.Name]
		switch {
		case !ok:
			s, err := m.newSession(cfg, clientFor(cfg.Name))
			if err != nil {
				return nil, fmt.Errorf("upstreams[%d]: %w", i, err)
			}
			p.added = append(p.added, s)
		case config.SameUpstream(old.Config(), cfg):
		case config.SameUpstreamButFilters(old.Config(), cfg):
			f, err := newFilters(cfg)
			if err != nil {
				return nil, fmt.Errorf("upstreams[%d]: %w", i, err)
			}
			p.refilter = append(p.refilter, refilter{name: cfg.Name, cfg: cfg, filters: f})
		default:
			s, err := m.newSession(cfg, clientFor(cfg.Name))
			if err != nil {
				return nil, fmt.Errorf("upstreams[%d]: %w", i, err)
			}
			p.replaced = append(p.replaced, s)
		}
	}
	for _, s := range m.sessions {
		if !seen[s.Name()] {
			p.removed = append(p.removed, s.Name())
		}
	}
	return p, nil
}

// Apply carries a plan out: new sessions start, replaced and removed ones
// stop (their MCP clients close, stdio process groups are killed) and are
// waited for up to ctx. It returns the configurations of the sessions that
// stopped, so the caller can release what they used.
func (m *Manager) Apply(ctx context.Context, p *Plan) (stopped []config.Upstream, err error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("upstream manager is closed")
	}
	var retire []*Session
	for _, s := range p.added {
		m.byName[s.Name()] = s
	}
	for _, s := range p.replaced {
		retire = append(retire, m.byName[s.Name()])
		m.byName[s.Name()] = s
	}
	for _, name := range p.removed {
		retire = append(retire, m.byName[name])
		delete(m.byName, name)
	}
	for _, r := range p.refilter {
		m.byName[r.name].setFilters(r.cfg, r.filters)
	}
	m.sessions = make([]*Session, 0, len(p.order))
	for _, name := range p.order {
		m.sessions = append(m.sessions, m.byName[name])
	}
	if m.ctx != nil {
		for _, s := range append(p.added, p.replaced...) {
			m.startLocked(s)
		}
	}
	sups := make([]*supervisor, 0, len(retire))
	for _, s := range retire {
		stopped = append(stopped, s.cfg)
		if sup, ok := m.running[s]; ok {
			sup.cancel()
			sups = append(sups, sup)
			delete(m.running, s)
		}
	}
	m.mu.Unlock()
	for _, sup := range sups {
		select {
		case <-sup.done:
		case <-ctx.Done():
			err = fmt.Errorf("replaced upstream sessions did not stop: %w", ctx.Err())
		}
	}
	return stopped, err
}

// Session returns the named session.
func (m *Manager) Session(name string) (*Session, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.byName[name]
	return s, ok
}

// Sessions returns every session in configuration order.
func (m *Manager) Sessions() []*Session {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]*Session(nil), m.sessions...)
}

// Ready reports whether every upstream has been initialised at least once.
func (m *Manager) Ready() bool {
	for _, s := range m.Sessions() {
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
	for _, s := range m.Sessions() {
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
	sessions := m.Sessions()
	out := make([]Status, 0, len(sessions))
	for _, s := range sessions {
		out = append(out, s.Status())
	}
	return out
}

// Close stops the supervisors, which close their MCP clients (ending
// upstream sessions), and waits for them up to ctx.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	if m.cancel == nil {
		m.mu.Unlock()
		return nil
	}
	m.cancel()
	sups := make([]*supervisor, 0, len(m.running))
	for s, sup := range m.running {
		sups = append(sups, sup)
		delete(m.running, s)
	}
	m.mu.Unlock()
	for _, sup := range sups {
		select {
		case <-sup.done:
		case <-ctx.Done():
			return fmt.Errorf("upstream sessions did not close: %w", ctx.Err())
		}
	}
	return nil
}
