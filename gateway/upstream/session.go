// Package upstream keeps one long-lived MCP client session per configured
// upstream server: it connects and initialises with backoff and jitter,
// probes health periodically, reconnects after failures, and refreshes the
// upstream's catalog on listChanged notifications and on an interval.
//
// All sessions share the gateway's connection pools (package pool): a
// reconnect builds a new MCP client object, never a new HTTP transport.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/backoff"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/pool"
)

// ErrUnavailable is returned when the upstream has no live session.
var ErrUnavailable = errors.New("upstream unavailable")

// ClientInfo identifies the gateway to upstream servers.
var ClientInfo = mcp.Implementation{Name: "churnlint-mcp-gateway", Version: "dev"}

// Catalog is what an upstream offers, already filtered by the upstream's
// allow/deny rules, with upstream-side names.
type Catalog struct {
	Tools     []mcp.Tool
	Resources []mcp.Resource
	Templates []mcp.ResourceTemplate
	Prompts   []mcp.Prompt
}

// CatalogFunc receives an upstream's catalog each time it changes.
type CatalogFunc func(upstream string, c Catalog)

// Status is a point-in-time view of a session for /readyz.
type Status struct {
	Name        string `json:"name"`
	Up          bool   `json:"up"`
	Initialised bool   `json:"initialised"`
	Protocol    string `json:"protocol,omitempty"`
	LastError   string `json:"last_error,omitempty"`
}

// Session supervises the connection to one upstream.
type Session struct {
	cfg  config.Upstream
	http *http.Client // shared pool client; not owned
	// rawURL is cfg.URL parsed, for the raw path's requests (nil: parse
	// per request, as http.NewRequest does).
	rawURL *url.URL
	// direct sends raw calls on connections the caller's goroutine writes
	// and reads itself (pool.Direct), when the URL allows it (plain http,
	// no proxy, no tracing wrap); nil: the pool's client.
	direct *pool.Direct
	// filt is replaced by a reload that changes only the filters.
	filt      atomic.Pointer[filterState]
	logger    *slog.Logger
	metrics   *metrics.Metrics
	onCatalog CatalogFunc
	policy    backoff.Policy

	mu          sync.RWMutex
	conn        *conn
	catalog     Catalog
	initialised bool
	lastErr     string

	ready     chan struct{} // closed after the first init and catalog fetch
	readyOnce sync.Once
	kick      chan struct{} // "something failed, probe now"
	refresh   chan struct{} // "the catalog changed, list again"
}

// conn is one initialised MCP client and what hangs off it.
type conn struct {
	client     *client.Client
	protocol   string
	lost       chan error // the notification stream died
	cancel     context.CancelFunc
	stopListen func()
	// child is the process of a stdio upstream, nil for HTTP ones.
	child *childProcess
	// staticHeaders are the headers of every request on a
	// streamable-HTTP session (configured ones, bearer token), for the raw
	// call path; nil on other transports.
	staticHeaders map[string]string
	// rawStatic is staticHeaders and rawFixed the raw path's own headers
	// (content type, accept, protocol version), canonical and built once:
	// every raw call's header shares their value slices, which nothing
	// mutates.
	rawStatic, rawFixed http.Header
	// rawSessionID is the Mcp-Session-Id value of the raw path, kept
	// while the transport's session id stays the same.
	rawSessionID atomic.Pointer[[]string]
	// rawShared is the whole header of a raw call that forwards no
	// client header, for the session id it was built with: the same for
	// every such call, and only read below the transport, so shared.
	rawShared atomic.Pointer[sharedHeader]
}

// close ends the MCP client and, for stdio, what is left of its process
// group.
func (c *conn) close() {
	if c.child != nil {
		c.child.beginStop()
	}
	_ = c.client.Close()
	if c.child != nil {
		c.child.stop()
	}
}

func newSession(cfg config.Upstream, httpClient *http.Client, m *metrics.Metrics, logger *slog.Logger, onCatalog CatalogFunc) (*Session, error) {
	f, err := newFilters(cfg)
	if err != nil {
		return nil, err
	}
	s := &Session{
		cfg:       cfg,
		http:      httpClient,
		logger:    logger.With("upstream", cfg.Name),
		metrics:   m,
		onCatalog: onCatalog,
		policy:    backoff.Policy{Initial: cfg.Reconnect.InitialBackoff, Max: cfg.Reconnect.MaxBackoff},
		ready:     make(chan struct{}),
		kick:      make(chan struct{}, 1),
		refresh:   make(chan struct{}, 1),
	}
	if u, err := url.Parse(cfg.URL); err == nil && u.Host != "" {
		// What http.NewRequest does to the host, once.
		u.Host = strings.TrimSuffix(u.Host, ":")
		s.rawURL = u
		s.direct = pool.DirectFor(httpClient, u)
	}
	s.filt.Store(&filterState{tools: cfg.Tools, resources: cfg.Resources, prompts: cfg.Prompts, f: f})
	return s, nil
}

// Name is the upstream's configured name.
func (s *Session) Name() string { return s.cfg.Name }

// Config returns the upstream's configuration, with the filters in force.
func (s *Session) Config() config.Upstream {
	cfg := s.cfg
	st := s.filt.Load()
	cfg.Tools, cfg.Resources, cfg.Prompts = st.tools, st.resources, st.prompts
	return cfg
}

// Ready is closed once the session has been initialised for the first time.
func (s *Session) Ready() <-chan struct{} { return s.ready }

// Status reports the session's current state.
func (s *Session) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Status{Name: s.cfg.Name, Up: s.conn != nil, Initialised: s.initialised, LastError: s.lastErr}
	if s.conn != nil {
		st.Protocol = s.conn.protocol
	}
	return st
}

// Catalog returns the last catalog fetched.
func (s *Session) Catalog() Catalog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.catalog
}

func (s *Session) current() (*client.Client, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.conn == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, s.cfg.Name)
	}
	return s.conn.client, nil
}

func (s *Session) setErr(err error) {
	s.mu.Lock()
	s.lastErr = err.Error()
	s.mu.Unlock()
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run supervises the session until ctx ends: connect (with backoff), serve
// until the session fails, tear down, repeat.
func (s *Session) run(ctx context.Context) {
	attempt := 0
	for ctx.Err() == nil {
		c, err := s.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.metrics.UpstreamErrors.WithLabelValues(s.cfg.Name, "connect").Inc()
			s.setErr(err)
			delay := s.policy.Delay(attempt)
			s.logger.Warn("upstream connect failed", "err", err, "attempt", attempt+1, "retry_in", delay)
			attempt++
			if !sleep(ctx, delay) {
				return
			}
			continue
		}
		started := time.Now()
		s.install(c)
		s.refreshCatalog(ctx, c)
		// Ready means initialised and catalog published (or at least tried).
		s.readyOnce.Do(func() { close(s.ready) })
		reason := s.serve(ctx, c)
		s.uninstall(c)
		if ctx.Err() != nil {
			return
		}
		s.metrics.UpstreamErrors.WithLabelValues(s.cfg.Name, "session").Inc()
		s.setErr(reason)
		s.logger.Warn("upstream session lost, reconnecting", "reason", reason)
		// A session that stayed healthy for a while earns a fresh backoff;
		// one that flaps keeps backing off.
		if time.Since(started) > s.cfg.Reconnect.MaxBackoff {
			attempt = 0
		}
		if !sleep(ctx, s.policy.Delay(attempt)) {
			return
		}
		attempt++
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// headers returns the static headers sent on every upstream request.
func (s *Session) headers() map[string]string {
	h := maps.Clone(s.cfg.Headers)
	if h == nil {
		h = map[string]string{}
	}
	if s.cfg.BearerToken != "" {
		h["Authorization"] = "Bearer " + s.cfg.BearerToken
	}
	return h
}

// connect builds an MCP client on the shared pool client and initialises
// it. The client's long-lived parts (SSE stream, listen stream) run on a
// context that lives until uninstall; the handshake itself is bounded by
// the connect timeout.
func (s *Session) connect(ctx context.Context) (*conn, error) {
	var (
		tr   transport.Interface
		opts []client.ClientOption
	)
	c := &conn{lost: make(chan error, 1)}
	switch s.cfg.Transport {
	case config.TransportSSE:
		sse, err := transport.NewSSE(s.cfg.URL,
			client.WithHTTPClient(s.http),
			client.WithHeaders(s.headers()),
			transport.WithSSELogger(s.logger),
			transport.WithEndpointTimeout(s.cfg.Timeouts.Connect),
			transport.WithResponseTimeout(s.cfg.Timeouts.Call),
		)
		if err != nil {
			return nil, err
		}
		tr = sse
		// HTTP+SSE predates the stateless protocol; notifications only
		// flow to sessions that completed the initialize handshake.
		opts = append(opts, client.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
	case config.TransportStdio:
		var st *transport.Stdio
		st, c.child = s.newStdioTransport(func() { c.markLost(errors.New("stdio process exited")) })
		tr = st
		// A fresh process has no session to resume: the legacy protocol
		// keeps health on ping and notifications on stdout.
		opts = append(opts, client.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
	default:
		shOpts := []transport.StreamableHTTPCOption{
			transport.WithHTTPBasicClient(s.http),
			transport.WithHTTPHeaders(s.headers()),
			transport.WithHTTPLogger(s.logger),
		}
		if !mcp.IsModernProtocol(s.cfg.ProtocolVersion) {
			// A session-oriented revision: the version, client info and
			// capabilities are settled once by initialize, where the
			// stateless revision sends them (and the upstream checks
			// them, header against body) with every call. Notifications
			// come on the standalone GET stream.
			// Deprecated only because 2026-07-28 has no GET stream; it is
			// how the session-oriented revisions deliver notifications.
			shOpts = append(shOpts, transport.WithContinuousListening()) //nolint:staticcheck // see above
			opts = append(opts, client.WithProtocolVersion(s.cfg.ProtocolVersion))
		}
		sh, err := transport.NewStreamableHTTP(s.cfg.URL, shOpts...)
		if err != nil {
			return nil, err
		}
		tr = sh
		c.staticHeaders = s.headers()
	}
	c.client = client.NewClient(tr, opts...)
	connCtx, cancel := context.WithCancel(ctx)
	c.cancel = cancel

	c.client.OnNotification(s.onNotification)
	c.client.OnConnectionLost(func(err error) { c.markLost(fmt.Errorf("connection lost: %w", err)) })

	fail := func(err error) (*conn, error) {
		c.close()
		cancel()
		return nil, err
	}
	initCtx, initCancel := context.WithTimeout(ctx, s.cfg.Timeouts.Connect)
	defer initCancel()
	err := c.client.Start(connCtx)
	if c.child != nil {
		c.child.started()
	}
	if err != nil {
		return fail(fmt.Errorf("start: %w", err))
	}
	res, err := c.client.Initialize(initCtx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: ClientInfo}})
	if err != nil {
		return fail(fmt.Errorf("initialize: %w", err))
	}
	c.protocol = res.ProtocolVersion
	if c.staticHeaders != nil {
		c.rawStatic, c.rawFixed = rawHeaders(c.staticHeaders, c.protocol)
	}

	// On the stateless protocol, notifications arrive on a
	// subscriptions/listen stream; on legacy SSE on the event stream.
	if mcp.IsModernProtocol(c.protocol) {
		caps := c.client.GetServerCapabilities()
		filter := mcp.SubscriptionFilter{
			ToolsListChanged:     caps.Tools != nil && caps.Tools.ListChanged,
			ResourcesListChanged: caps.Resources != nil && caps.Resources.ListChanged,
			PromptsListChanged:   caps.Prompts != nil && caps.Prompts.ListChanged,
		}
		if !filter.IsEmpty() {
			stop, err := c.client.ListenAsync(connCtx, filter, func(err error) {
				c.markLost(fmt.Errorf("notification stream: %w", err))
			})
			if err != nil {
				return fail(fmt.Errorf("listen: %w", err))
			}
			c.stopListen = stop
		}
	}
	return c, nil
}

func (c *conn) markLost(err error) {
	select {
	case c.lost <- err:
	default:
	}
}

func (s *Session) install(c *conn) {
	s.mu.Lock()
	s.conn = c
	s.initialised = true
	s.lastErr = ""
	s.mu.Unlock()
	s.metrics.UpstreamUp.WithLabelValues(s.cfg.Name).Set(1)
	s.metrics.UpstreamReconnects.WithLabelValues(s.cfg.Name).Inc()
	s.logger.Info("upstream session initialised", "protocol", c.protocol)
}

func (s *Session) uninstall(c *conn) {
	s.mu.Lock()
	if s.conn == c {
		s.conn = nil
	}
	s.mu.Unlock()
	s.metrics.UpstreamUp.WithLabelValues(s.cfg.Name).Set(0)
	if c.stopListen != nil {
		c.stopListen()
	}
	c.cancel()
	c.close()
}

// serve watches a live session. It returns why the session is considered
// dead, or nil when ctx ended.
func (s *Session) serve(ctx context.Context, c *conn) error {
	health := time.NewTicker(s.cfg.Health.Interval)
	defer health.Stop()
	refresh := time.NewTicker(s.cfg.RefreshInterval)
	defer refresh.Stop()

	failures := 0
	// retry re-probes soon after a failed probe rather than a whole
	// interval later, so a dead upstream is noticed within a few backoffs.
	var retry <-chan time.Time
	probe := func() error {
		err := s.probe(ctx, c)
		if err == nil {
			failures, retry = 0, nil
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		if processGone(err) {
			// A stdio process that is gone will not answer a retry.
			return fmt.Errorf("health probe: %w", err)
		}
		failures++
		s.metrics.UpstreamErrors.WithLabelValues(s.cfg.Name, "health").Inc()
		s.logger.Warn("upstream health probe failed", "err", err, "failures", failures, "threshold", s.cfg.Health.FailureThreshold)
		if failures >= s.cfg.Health.FailureThreshold {
			return fmt.Errorf("%d consecutive health probe failures, last: %w", failures, err)
		}
		retry = time.After(s.policy.Delay(failures - 1))
		return nil
	}
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case err = <-c.lost:
			return err
		case <-health.C:
			err = probe()
		case <-s.kick:
			err = probe()
		case <-retry:
			err = probe()
		case <-refresh.C:
			s.refreshCatalog(ctx, c)
		case <-s.refresh:
			s.refreshCatalog(ctx, c)
		}
		if err != nil {
			return err
		}
	}
}

// probe is one health check: ping on legacy sessions, server/discover on
// stateless ones (where ping is a no-op).
func (s *Session) probe(ctx context.Context, c *conn) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeouts.Health)
	defer cancel()
	if mcp.IsModernProtocol(c.protocol) {
		_, err := c.client.Discover(ctx, mcp.DiscoverRequest{})
		return err
	}
	return c.client.Ping(ctx)
}

func (s *Session) onNotification(n mcp.JSONRPCNotification) {
	switch mcp.MCPMethod(n.Method) {
	case mcp.MethodNotificationToolsListChanged,
		mcp.MethodNotificationResourcesListChanged,
		mcp.MethodNotificationPromptsListChanged:
		s.logger.Debug("upstream catalog updated", "notification", n.Method)
		signal(s.refresh)
	}
}

// refreshCatalog lists everything the upstream advertises. On failure the
// previous catalog stays and a health probe is requested.
func (s *Session) refreshCatalog(ctx context.Context, c *conn) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeouts.Call)
	defer cancel()
	cat, err := s.fetchCatalog(ctx, c.client)
	if err != nil {
		if ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			s.metrics.UpstreamErrors.WithLabelValues(s.cfg.Name, "refresh").Inc()
			s.logger.Warn("upstream catalog refresh failed", "err", err)
			signal(s.kick)
		}
		return
	}
	s.mu.Lock()
	changed := !catalogsEqual(s.catalog, cat)
	s.catalog = cat
	s.mu.Unlock()
	if changed {
		s.logger.Info("upstream catalog updated", "tools", len(cat.Tools), "resources", len(cat.Resources),
			"resource_templates", len(cat.Templates), "prompts", len(cat.Prompts))
		if s.onCatalog != nil {
			s.onCatalog(s.cfg.Name, cat)
		}
	}
}

func (s *Session) fetchCatalog(ctx context.Context, c *client.Client) (Catalog, error) {
	filters := s.filt.Load().f
	caps := c.GetServerCapabilities()
	var cat Catalog
	if caps.Tools != nil {
		res, err := c.ListTools(ctx, mcp.ListToolsRequest{})
		if err != nil {
			return cat, fmt.Errorf("tools/list: %w", err)
		}
		for _, t := range res.Tools {
			if filters.tools.Admits(t.Name) {
				cat.Tools = append(cat.Tools, t)
			}
		}
	}
	if caps.Resources != nil {
		res, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
		if err != nil {
			return cat, fmt.Errorf("resources/list: %w", err)
		}
		for _, r := range res.Resources {
			if filters.resources.AdmitsURI(r.URI) {
				cat.Resources = append(cat.Resources, r)
			}
		}
		tpl, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
		if err != nil && !errors.Is(err, mcp.ErrMethodNotFound) {
			return cat, fmt.Errorf("resources/templates/list: %w", err)
		}
		if tpl != nil {
			for _, t := range tpl.ResourceTemplates {
				if t.URITemplate != nil && filters.resources.Admits(t.URITemplate.Raw()) {
					cat.Templates = append(cat.Templates, t)
				}
			}
		}
	}
	if caps.Prompts != nil {
		res, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		if err != nil {
			return cat, fmt.Errorf("prompts/list: %w", err)
		}
		for _, p := range res.Prompts {
			if filters.prompts.Admits(p.Name) {
				cat.Prompts = append(cat.Prompts, p)
			}
		}
	}
	return cat, nil
}
