package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/session"
)

// Route labels for metrics; fixed strings keep cardinality bounded.
const (
	routeMCP     = "mcp"
	routeSSE     = "sse"
	routeMessage = "message"
	routeVirtual = "virtual"
	routeHealth  = "healthz"
	routeReady   = "readyz"
	routeMetrics = "metrics"
	routeAdmin   = "admin"
	routeOther   = "other"
)

// mainSessionServer names the main server in session ids; virtual server
// names cannot collide with it (they match [a-z0-9-]).
const mainSessionServer = "/"

// buildHTTP creates the downstream MCP transports and the route table.
//
//	/healthz, /readyz, /metrics     unauthenticated operations endpoints
//	/mcp                            streamable HTTP, whole catalog
//	/sse + /message                 legacy HTTP+SSE, whole catalog
//	/servers/{name}/mcp             streamable HTTP, a virtual server
func (g *Gateway) buildHTTP() {
	httpCtx := func(ctx context.Context, r *http.Request) context.Context {
		// The auth middleware already put the principal on r's context,
		// from which ctx derives; this keeps it explicit for mcp-go paths
		// that rebuild contexts.
		if p, ok := auth.FromContext(r.Context()); ok {
			return auth.WithPrincipal(ctx, p)
		}
		return ctx
	}
	g.sweeps = &sweepCounter{logger: g.logger}
	g.touches = newSessionTouches(g.cfg.SessionIdleTTL)
	g.admission = newAdmission(g.cfg, g.metrics)
	streamOpts := []mcpserver.StreamableHTTPOption{
		mcpserver.WithHTTPContextFunc(httpCtx),
		mcpserver.WithSessionIdleTTL(g.cfg.SessionIdleTTL),
		mcpserver.WithStreamableHTTPLogger(slog.New(sweepLog{Handler: g.logger.Handler(), counter: g.sweeps})),
		mcpserver.WithHeartbeatInterval(30 * time.Second),
		// hostGuard does this, with the configured hosts.
		mcpserver.WithDisableLocalhostProtection(true),
	}
	g.signer = session.NewSigner([]byte(g.cfg.Sessions.Secret), g.cfg.Sessions.MaxLifetime)
	g.streamOpts = streamOpts
	g.streamable = mcpserver.NewStreamableHTTPServer(g.fed.Server(), append(streamOpts, g.sessionOption(mainSessionServer))...)
	for _, name := range g.fed.VirtualNames() {
		srv, _ := g.fed.VirtualServer(name)
		g.virtual[name] = mcpserver.NewStreamableHTTPServer(srv, append(streamOpts, g.sessionOption(name))...)
	}
	g.sseTrack = newSSESessions()
	g.sse = mcpserver.NewSSEServer(g.fed.Server(),
		mcpserver.WithSSEEndpoint("/sse"),
		mcpserver.WithMessageEndpoint("/message"),
		mcpserver.WithSSEContextFunc(httpCtx),
		mcpserver.WithKeepAliveInterval(30*time.Second),
		mcpserver.WithSessionIDGenerator(g.sseTrack.generateID),
		mcpserver.WithSSEDisableLocalhostProtection(true),
	)

	guard := func(h http.Handler) http.Handler {
		return g.tracing.Handler(g.hostGuard(g.authenticate(g.admit(jsonrpc.Guard(g.cfg.MaxBodyBytes, g.cfg.HTTP.ReadBodyTimeout, g.streamsLeave(g.annotateSpan(g.requests.track(h))))))), "mcp")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", g.serveReady)
	mux.Handle("GET /metrics", g.metrics.Handler())
	mux.Handle("/mcp", guard(g.bindSession(mainSessionServer, g.routeCall("", g.streamable))))
	mux.Handle("GET /sse", g.tracing.Handler(g.hostGuard(g.authenticate(g.sseTrack.stream(g.sse.SSEHandler()))), "mcp"))
	mux.Handle("POST /message", guard(g.sseTrack.message(g.sse.MessageHandler())))
	mux.Handle("/servers/{name}/mcp", guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		g.virtualMu.RLock()
		srv, ok := g.virtual[name]
		g.virtualMu.RUnlock()
		if !ok {
			notFound(w)
			return
		}
		g.bindSession(name, g.routeCall(name, srv)).ServeHTTP(w, r)
	})))
	mux.Handle("POST /admin/reload", http.HandlerFunc(g.serveReload))
	g.handler = g.countHTTP(mux)
}

// countHTTP records every downstream HTTP request by route and status, and
// how long it was held.
func (g *Gateway) countHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		held := time.Duration(-1)
		if r.Method != http.MethodGet {
			// A GET notification stream lasts as long as its session (a
			// stateless subscriptions/listen does too: the top bucket).
			held = time.Since(began)
		}
		g.metrics.ObserveHTTP(routeOf(r.URL.Path), rec.status, held)
	})
}

func routeOf(path string) string {
	switch path {
	case "/mcp":
		return routeMCP
	case "/sse":
		return routeSSE
	case "/message":
		return routeMessage
	case "/healthz":
		return routeHealth
	case "/readyz":
		return routeReady
	case "/metrics":
		return routeMetrics
	case "/admin/reload":
		return routeAdmin
	}
	if len(path) > len("/servers/") && path[:len("/servers/")] == "/servers/" {
		return routeVirtual
	}
	return routeOther
}

// statusRecorder remembers the status code. It keeps Flush working, which
// both MCP HTTP transports need for streaming.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(p)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// requestTracker counts short-lived MCP HTTP requests (everything except
// notification streams), so shutdown can let their responses be written
// before it cancels request contexts.
type requestTracker struct{ inflight }

func (t *requestTracker) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		t.add()
		defer t.done()
		next.ServeHTTP(w, r)
	})
}

// isStream reports requests that stay open to carry notifications: the
// legacy GET stream and the stateless protocol's subscriptions/listen.
func isStream(r *http.Request) bool {
	if r.Method == http.MethodGet {
		return true
	}
	msg, ok := jsonrpc.FromContext(r)
	return ok && msg.Method == "subscriptions/listen"
}
