// Package gateway wires the MCP gateway together: connection pools,
// upstream sessions, plugins, downstream MCP servers, authentication,
// request validation, metrics and graceful shutdown.
//
// Every long-lived resource is created once in New and released once in
// Shutdown, in dependency order.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/redis/go-redis/v9"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/connlimit"
	"github.com/churnlint/churnlint/gateway/downstream"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/plugin/moderation"
	"github.com/churnlint/churnlint/gateway/plugin/webhook"
	"github.com/churnlint/churnlint/gateway/pool"
	"github.com/churnlint/churnlint/gateway/session"
	"github.com/churnlint/churnlint/gateway/tracing"
	"github.com/churnlint/churnlint/gateway/upstream"
)

// Version is the gateway version, set at build time with
// -ldflags "-X github.com/churnlint/churnlint/gateway.Version=...".
var Version = "dev"

// ServerName is announced to downstream clients.
const ServerName = "churnlint-mcp-gateway"

// Options are the non-config inputs of New.
type Options struct {
	Logger *slog.Logger
	// Plugins maps plugin types to factories; nil means DefaultPlugins().
	Plugins map[string]plugin.Factory
	// Tracing holds tracing hooks (an in-memory exporter in tests, the
	// stdout exporter's writer).
	Tracing tracing.Options
	// ConfigPath is the file ReloadFile re-reads (SIGHUP, POST
	// /admin/reload, -watch); empty disables file reloads.
	ConfigPath string
}

// DefaultPlugins returns the bundled plugin factories.
func DefaultPlugins() map[string]plugin.Factory {
	return map[string]plugin.Factory{
		moderation.Type: func(name string, block *yaml.Node, deps plugin.Deps) (plugin.Plugin, error) {
			p, err := moderation.New(name, block, deps)
			if err != nil {
				return nil, err
			}
			return p, nil
		},
		webhook.Type: func(name string, block *yaml.Node, deps plugin.Deps) (plugin.Plugin, error) {
			p, err := webhook.New(name, block, deps)
			if err != nil {
				return nil, err
			}
			return p, nil
		},
	}
}

// Gateway is a running (or ready to run) MCP gateway.
type Gateway struct {
	// cfg is the configuration the gateway started with, which holds the
	// settings a reload cannot change; live is the one in force.
	cfg       *config.Config
	live      atomic.Pointer[config.Config]
	logger    *slog.Logger
	metrics   *metrics.Metrics
	factories map[string]plugin.Factory
	reloader  reloader

	tracing  *tracing.Provider
	pool     *pool.Pool
	plugins  *plugin.Live
	sessions *upstream.Manager
	fed      *downstream.Federation
	auth     atomic.Pointer[auth.Authenticator]

	streamable *mcpserver.StreamableHTTPServer
	// streamOpts build a virtual server's transport when a reload adds one.
	streamOpts []mcpserver.StreamableHTTPOption
	virtualMu  sync.RWMutex
	virtual    map[string]*mcpserver.StreamableHTTPServer
	sse        *mcpserver.SSEServer
	sseTrack   *sseSessions
	signer     *session.Signer
	sweeps     *sweepCounter
	touches    *sessionTouches
	admission  *admission
	redis      *redis.Client // nil unless redis.address is set
	handler    http.Handler

	// baseCtx is the parent of every downstream request context; it is
	// cancelled during shutdown, after calls drained, to end the
	// long-lived notification streams.
	baseCtx    context.Context
	cancelBase context.CancelFunc
	requests   requestTracker

	mu       sync.Mutex
	servers  []*http.Server
	started  bool
	closing  bool // no new Serve: the listeners are being closed
	draining atomic.Bool
	stopOnce sync.Once
	stopErr  error
}

// New builds every component from cfg. Nothing connects or listens yet:
// call Start, then Serve.
func New(cfg *config.Config, opts Options) (*Gateway, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	factories := opts.Plugins
	if factories == nil {
		factories = DefaultPlugins()
	}
	g := &Gateway{cfg: cfg, logger: logger, metrics: metrics.New(), factories: factories,
		virtual: map[string]*mcpserver.StreamableHTTPServer{}}
	g.live.Store(cfg)
	g.reloader.path = opts.ConfigPath
	upstream.ClientInfo.Version = Version

	// Undo what was built if a later step fails. The cleanups capture
	// what they release, never the result (which a failed return nils).
	var cleanups []func()
	built := false
	defer func() {
		if !built {
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
		}
	}()

	var err error

	if g.redis = newRedis(cfg.Redis); g.redis != nil {
		rc := g.redis
		cleanups = append(cleanups, func() { _ = rc.Close() })
	}
	authn, err := auth.New(cfg.Auth, g.authOptions(cfg.Auth.RateLimit)...)
	if err != nil {
		return nil, err
	}
	g.auth.Store(authn)
	topts := opts.Tracing
	topts.ServiceVersion = Version
	if g.tracing, err = tracing.New(context.Background(), cfg.Tracing, topts); err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = g.tracing.Shutdown(context.Background()) })
	var poolOpts []pool.Option
	if g.tracing.Enabled() {
		// Wrapped, not replaced: the tuned transports stay underneath.
		poolOpts = append(poolOpts, pool.WithRoundTripperWrap(g.tracing.WrapTransport))
	}
	if g.pool, err = pool.New(cfg.Pool, cfg.Upstreams, g.metrics, poolOpts...); err != nil {
		return nil, err
	}
	connPool := g.pool
	cleanups = append(cleanups, func() { _ = connPool.Close() })

	chain, err := g.buildChain(cfg)
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = chain.Shutdown(context.Background()) })
	g.plugins = plugin.NewLive(chain)

	g.sessions, err = upstream.NewManager(cfg.Upstreams, g.pool, g.metrics, logger, g.onCatalog)
	if err != nil {
		return nil, err
	}
	g.fed, err = downstream.New(downstream.Options{
		Name: ServerName, Version: Version, Separator: cfg.NameSeparator,
		Upstreams: cfg.Upstreams, VirtualServers: cfg.VirtualServers,
		Sessions: g.sessions, Plugins: g.plugins, Metrics: g.metrics, Logger: logger,
		Tracer: g.tracing.Tracer(),
	})
	if err != nil {
		return nil, err
	}
	g.baseCtx, g.cancelBase = context.WithCancel(context.Background())
	g.buildHTTP()
	built = true
	return g, nil
}

// buildChain builds (not initialises) the plugin chain of cfg.
func (g *Gateway) buildChain(cfg *config.Config) (*plugin.Chain, error) {
	var entries []plugin.Entry
	deps := plugin.Deps{Logger: g.logger, Metrics: g.metrics}
	fail := func(err error) (*plugin.Chain, error) {
		for _, e := range entries {
			_ = e.Plugin.Shutdown(context.Background())
		}
		return nil, err
	}
	for i, pc := range cfg.Plugins {
		if pc.Mode == config.ModeDisabled {
			continue
		}
		factory, ok := g.factories[pc.Type]
		if !ok {
			return fail(fmt.Errorf("plugins[%d].type: unknown plugin type %q", i, pc.Type))
		}
		p, err := factory(pc.Name, &cfg.Plugins[i].Config, deps)
		if err != nil {
			return fail(fmt.Errorf("plugins[%d] (%s): %w", i, pc.Name, err))
		}
		entries = append(entries, plugin.Entry{Plugin: p, Mode: pc.Mode, OnError: pc.OnError})
	}
	return plugin.NewChain(entries, g.metrics, g.logger), nil
}

func (g *Gateway) onCatalog(up string, cat upstream.Catalog) {
	// Sessions start only after New returned, so fed is set.
	g.fed.UpdateCatalog(up, cat)
}

// Start initialises plugins and starts the upstream supervisors. It does
// not wait for upstreams; /readyz reports when they are initialised.
func (g *Gateway) Start(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started {
		return errors.New("gateway already started")
	}
	if err := g.plugins.Current().Init(ctx); err != nil {
		return err
	}
	g.sessions.Start()
	g.started = true
	return nil
}

// WaitReady blocks until every upstream has been initialised once.
func (g *Gateway) WaitReady(ctx context.Context) error { return g.sessions.WaitReady(ctx) }

// Handler returns the gateway's HTTP handler (all routes).
func (g *Gateway) Handler() http.Handler { return g.handler }

// Metrics exposes the gateway's metrics (for tests and embedding).
func (g *Gateway) Metrics() *metrics.Metrics { return g.metrics }

// Federation exposes the downstream servers (for tests and embedding).
func (g *Gateway) Federation() *downstream.Federation { return g.fed }

// Sessions exposes the upstream sessions (for tests and embedding).
func (g *Gateway) Sessions() *upstream.Manager { return g.sessions }

// Pool exposes the connection pools (for tests and embedding).
func (g *Gateway) Pool() *pool.Pool { return g.pool }

// Serve serves downstream HTTP on ln until Shutdown.
func (g *Gateway) Serve(ln net.Listener) error {
	srv := &http.Server{
		Handler:           g.handler,
		BaseContext:       func(net.Listener) context.Context { return g.baseCtx },
		ReadHeaderTimeout: g.cfg.HTTP.ReadHeaderTimeout,
		IdleTimeout:       g.cfg.HTTP.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(g.logger.Handler(), slog.LevelWarn),
	}
	g.mu.Lock()
	if g.closing {
		g.mu.Unlock()
		return http.ErrServerClosed
	}
	g.servers = append(g.servers, srv)
	g.mu.Unlock()
	return srv.Serve(connlimit.New(ln, g.cfg.HTTP.MaxConnsPerIP, func(ip string) {
		g.logger.Debug("connection refused: too many from one IP", "ip", ip, "max_conns_per_ip", g.cfg.HTTP.MaxConnsPerIP)
	}))
}

// ListenAndServe listens on the configured address and serves.
func (g *Gateway) ListenAndServe() error {
	ln, err := net.Listen("tcp", g.cfg.Listen)
	if err != nil {
		return err
	}
	g.logger.Info("gateway listening", "addr", ln.Addr().String())
	return g.Serve(ln)
}

// Shutdown stops the gateway gracefully:
//
//  1. stop accepting connections and report not-ready;
//  2. drain in-flight calls (including responses still owed on SSE
//     streams) until ctx expires;
//  3. end long-lived downstream streams and close the HTTP servers;
//  4. shut every plugin down (the webhook drains its queue);
//  5. close upstream sessions;
//  6. close idle pooled connections;
//  7. flush and stop tracing.
//
// It is safe to call more than once; later calls return the first result.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.stopOnce.Do(func() { g.stopErr = g.shutdown(ctx) })
	return g.stopErr
}

func (g *Gateway) shutdown(ctx context.Context) error {
	var errs []error
	// A reload in progress finishes first; none starts after this.
	g.reloader.mu.Lock()
	g.reloader.closed = true
	g.reloader.mu.Unlock()
	// 0. Readiness goes 503 first; everything is still served until the
	// load balancer had time to notice and stop sending.
	g.draining.Store(true)
	if grace := g.cfg.Readiness.DrainGrace; grace > 0 && g.isServing() {
		g.logger.Info("shutting down: /readyz answers 503, still serving", "drain_grace", grace)
		t := time.NewTimer(grace)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	g.mu.Lock()
	g.closing = true
	servers := append([]*http.Server(nil), g.servers...)
	g.mu.Unlock()
	g.logger.Info("shutting down: draining in-flight calls")

	// Each phase gets its share of what is left of ctx, and what one
	// phase does not use passes to the next; one shared deadline would
	// leave nothing to the phases after a drain that ran out.
	b := newBudget(ctx)
	drainCtx, cancelDrain := b.until(0.5)
	defer cancelDrain()
	replyCtx, cancelReply := b.until(0.6)
	defer cancelReply()
	closeCtx, cancelClose := b.until(0.7)
	defer cancelClose()
	pluginCtx, cancelPlugins := b.until(0.9)
	defer cancelPlugins()

	// 1. Listeners close at once; connections finish their requests.
	srvErrs := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { srvErrs <- srv.Shutdown(closeCtx) }()
	}

	// 2. Drain: let calls finish (responses still owed on SSE streams
	// included).
	drainErr := g.fed.Drain(drainCtx)
	if drainErr == nil {
		drainErr = g.sseTrack.wait(drainCtx)
	}
	if drainErr != nil {
		// 2b. Out of time: every call still running is answered with a
		// "gateway is shutting down" JSON-RPC error, and those replies
		// get written, before any connection closes.
		n := g.fed.InFlight()
		g.fed.Abort()
		errs = append(errs, fmt.Errorf("draining calls: %w (%d aborted with a shutting-down error)", drainErr, n))
	}
	if err := g.sseTrack.wait(replyCtx); err != nil {
		errs = append(errs, fmt.Errorf("delivering SSE responses: %w", err))
	}
	if err := g.requests.wait(replyCtx); err != nil {
		errs = append(errs, fmt.Errorf("finishing HTTP requests: %w", err))
	}

	// 3. Nothing owed to anyone any more: end the streams.
	g.cancelBase()
	g.sse.CloseSessions()
	g.virtualMu.RLock()
	streams := append([]*mcpserver.StreamableHTTPServer{g.streamable}, mapValues(g.virtual)...)
	g.virtualMu.RUnlock()
	for _, s := range streams {
		// No http.Server is attached to these, so this only closes
		// sessions and stops the idle-session sweeper.
		_ = s.Shutdown(closeCtx)
	}
	var stuck bool
	for range servers {
		if err := <-srvErrs; err != nil {
			// After an aborted drain this is expected (and reported).
			if drainErr == nil {
				errs = append(errs, fmt.Errorf("http server: %w", err))
			}
			stuck = true
		}
	}
	if stuck {
		// Connections that outlived their share are cut.
		for _, srv := range servers {
			_ = srv.Close()
		}
	}

	g.sweeps.flush()

	// 4-6, after the plugins that reloads replaced are shut down.
	if err := g.reloader.retiring.wait(pluginCtx); err != nil {
		errs = append(errs, fmt.Errorf("retiring replaced plugins: %w", err))
	}
	if err := g.plugins.Shutdown(pluginCtx); err != nil {
		errs = append(errs, err)
	}
	if err := g.sessions.Close(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := g.pool.Close(); err != nil {
		errs = append(errs, err)
	}
	if g.redis != nil {
		if err := g.redis.Close(); err != nil {
			errs = append(errs, fmt.Errorf("redis: %w", err))
		}
	}
	// 7. Last, so the spans of the drained calls are exported.
	if err := g.tracing.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	g.logger.Info("shutdown complete", "clean", len(errs) == 0)
	return errors.Join(errs...)
}

// budget splits what is left of a context's deadline into phases.
type budget struct {
	parent context.Context
	start  time.Time
	total  time.Duration
	ok     bool
}

func newBudget(ctx context.Context) budget {
	deadline, ok := ctx.Deadline()
	now := time.Now()
	return budget{parent: ctx, start: now, total: deadline.Sub(now), ok: ok}
}

// until returns a context that ends when share (cumulative, 0..1) of the
// budget has passed from its start.
func (b budget) until(share float64) (context.Context, context.CancelFunc) {
	if !b.ok {
		return context.WithCancel(b.parent)
	}
	return context.WithDeadline(b.parent, b.start.Add(time.Duration(share*float64(b.total))))
}

func (g *Gateway) isServing() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.servers) > 0
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// readiness is the /readyz body.
type readiness struct {
	Ready     bool             `json:"ready"`
	Draining  bool             `json:"draining"`
	Upstreams []upstreamStatus `json:"upstreams"`
}

type upstreamStatus struct {
	Name        string `json:"name"`
	Up          bool   `json:"up"`
	Initialised bool   `json:"initialised"`
}

func (g *Gateway) serveReady(w http.ResponseWriter, _ *http.Request) {
	body := readiness{Draining: g.draining.Load()}
	for _, st := range g.sessions.Statuses() {
		// Errors stay in the logs: they can contain internal URLs.
		body.Upstreams = append(body.Upstreams, upstreamStatus{Name: st.Name, Up: st.Up, Initialised: st.Initialised})
	}
	body.Ready = !body.Draining && upstreamsReady(g.cfg.Readiness, body.Upstreams)
	w.Header().Set("Content-Type", "application/json")
	if !body.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(body)
}

// upstreamsReady applies the readiness policy to the upstreams' states:
// an upstream counts when it is up now, not merely once initialised.
func upstreamsReady(rc config.ReadinessConfig, sts []upstreamStatus) bool {
	up, considered := 0, 0
	for _, st := range sts {
		if len(rc.Upstreams) > 0 && !slices.Contains(rc.Upstreams, st.Name) {
			continue
		}
		considered++
		if st.Up && st.Initialised {
			up++
		}
	}
	if rc.Require == config.ReadyAll {
		return up == considered
	}
	return up > 0
}

// errNotFound answers unknown virtual servers like unknown routes.
func notFound(w http.ResponseWriter) {
	jsonrpc.WriteError(w, http.StatusNotFound, &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: "not found"})
}
