package gateway

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/jsonrpc"
	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/pool"
)

// Reload triggers, the trigger label of mcp_gateway_config_reloads_total.
const (
	TriggerSignal = "signal"
	TriggerAdmin  = "admin"
	TriggerWatch  = "watch"
	TriggerAPI    = "api"
)

// Reload results, the result label of mcp_gateway_config_reloads_total.
const (
	resultApplied   = "ok"
	resultUnchanged = "unchanged"
	resultInvalid   = "invalid"
	resultFailed    = "failed"
)

// ErrReloadRefused wraps every reason a reload was refused; the running
// configuration then stays in force, untouched.
var ErrReloadRefused = errors.New("reload refused, the running configuration stays")

// reloader serialises reloads and tracks what they retire in the
// background.
type reloader struct {
	path string

	mu         sync.Mutex
	closed     bool
	generation int
	retiring   tasks
}

// ReloadReport says what a reload changed.
type ReloadReport struct {
	Generation int `json:"generation"`
	// Upstreams added, reconnected (their connection settings changed),
	// refiltered (only filters changed: kept connected) and removed.
	Added       []string `json:"added,omitempty"`
	Reconnected []string `json:"reconnected,omitempty"`
	Refiltered  []string `json:"refiltered,omitempty"`
	Removed     []string `json:"removed,omitempty"`
	// What else was swapped.
	Auth           bool `json:"auth,omitempty"`
	Plugins        bool `json:"plugins,omitempty"`
	VirtualServers bool `json:"virtual_servers,omitempty"`
	Admin          bool `json:"admin,omitempty"`
	Unchanged      bool `json:"unchanged,omitempty"`
}

// Config returns the configuration in force.
func (g *Gateway) Config() *config.Config { return g.live.Load() }

// ReloadFile re-reads Options.ConfigPath and reloads it.
func (g *Gateway) ReloadFile(ctx context.Context, trigger string) (*ReloadReport, error) {
	if g.reloader.path == "" {
		g.metrics.Reloads.WithLabelValues(trigger, resultFailed).Inc()
		return nil, fmt.Errorf("%w: the gateway was started without a config file", ErrReloadRefused)
	}
	next, err := config.Load(g.reloader.path)
	if err != nil {
		g.metrics.Reloads.WithLabelValues(trigger, resultInvalid).Inc()
		g.logger.Error("config reload refused: invalid configuration", "trigger", trigger, "err", err)
		return nil, fmt.Errorf("%w: %w", ErrReloadRefused, err)
	}
	return g.Reload(ctx, next, trigger)
}

// Reload applies next, which must be a validated configuration (from
// config.Load or config.Parse). It builds everything next needs first;
// if any of it fails, or next changes a setting that needs a restart, the
// reload is refused whole and nothing changes. Then it swaps tokens,
// plugins, virtual servers and per-upstream settings, starts sessions for
// added upstreams, reconnects only upstreams whose connection settings
// changed, and releases everything it replaced: stopped sessions (and
// stdio process groups), idle connections of pools they used, transports
// of TLS profiles no longer used, virtual servers' downstream transports,
// and replaced plugins (Shutdown, once the calls using them are done).
// Downstream sessions stay open.
func (g *Gateway) Reload(ctx context.Context, next *config.Config, trigger string) (*ReloadReport, error) {
	r := &g.reloader
	r.mu.Lock()
	defer r.mu.Unlock()
	refuse := func(result string, err error) (*ReloadReport, error) {
		g.metrics.Reloads.WithLabelValues(trigger, result).Inc()
		g.logger.Error("config reload refused", "trigger", trigger, "err", err)
		return nil, fmt.Errorf("%w: %w", ErrReloadRefused, err)
	}
	if r.closed {
		return refuse(resultFailed, errors.New("the gateway is shutting down"))
	}
	if errs := config.RestartOnlyChanges(g.cfg, next); len(errs) > 0 {
		return refuse(resultInvalid, errors.Join(errs...))
	}
	running := g.live.Load()
	rep := &ReloadReport{}

	// Prepare: build everything next needs; nothing is installed yet.
	var newAuth *auth.Authenticator
	if !reflect.DeepEqual(running.Auth, next.Auth) {
		a, err := auth.New(next.Auth, g.authOptions(next.Auth.RateLimit)...)
		if err != nil {
			return refuse(resultInvalid, err)
		}
		newAuth, rep.Auth = a, true
	}
	poolPlan, err := g.pool.Plan(next.Upstreams)
	if err != nil {
		return refuse(resultInvalid, err)
	}
	plan, err := g.sessions.Plan(next.Upstreams, poolPlan.ClientFor)
	if err != nil {
		poolPlan.Discard()
		return refuse(resultInvalid, err)
	}
	var newChain *plugin.Chain
	if !config.SamePlugins(running.Plugins, next.Plugins) {
		c, err := g.buildChain(next)
		if err == nil {
			err = c.Init(ctx) // shuts c's plugins down when it fails
		}
		if err != nil {
			poolPlan.Discard()
			return refuse(resultInvalid, err)
		}
		newChain, rep.Plugins = c, true
	}
	vsChanged := !reflect.DeepEqual(running.VirtualServers, next.VirtualServers)
	rep.Admin = running.Admin != next.Admin
	rep.Added, rep.Reconnected, rep.Refiltered, rep.Removed = plan.Summary()

	// Apply. Virtual servers go first: the only step that can still fail,
	// and it changes nothing when it does.
	if vsChanged {
		added, removed, err := g.fed.SetVirtualServers(next.VirtualServers)
		if err != nil {
			poolPlan.Discard()
			if newChain != nil {
				_ = newChain.Shutdown(ctx)
			}
			return refuse(resultInvalid, err)
		}
		rep.VirtualServers = true
		g.swapVirtualTransports(ctx, added, removed)
	}
	if newAuth != nil {
		g.auth.Store(newAuth)
	}
	if newChain != nil {
		retire := g.plugins.Swap(newChain)
		r.retiring.run(func() {
			// Bounded like a shutdown drain: calls still using the old
			// plugins get that long to finish.
			ctx, cancel := context.WithTimeout(context.Background(), next.ShutdownTimeout)
			defer cancel()
			if err := retire(ctx); err != nil {
				g.logger.Warn("replaced plugins did not shut down cleanly", "err", err)
			}
		})
	}
	dropped := g.pool.Apply(poolPlan)
	g.fed.SetUpstreams(next.Upstreams)
	stopped, stopErr := g.sessions.Apply(ctx, plan)
	for _, name := range rep.Removed {
		g.fed.RemoveUpstream(name)
	}
	g.releasePools(stopped, dropped)
	g.live.Store(next)

	if plan.Empty() && !rep.Auth && !rep.Plugins && !vsChanged && !rep.Admin {
		rep.Unchanged = true
		g.metrics.Reloads.WithLabelValues(trigger, resultUnchanged).Inc()
	} else {
		r.generation++
		g.metrics.Reloads.WithLabelValues(trigger, resultApplied).Inc()
		g.metrics.ConfigGeneration.Inc()
		g.metrics.ConfigLastReload.SetToCurrentTime()
	}
	rep.Generation = r.generation + 1
	g.logger.Info("config reloaded", "trigger", trigger, "generation", rep.Generation, "unchanged", rep.Unchanged,
		"added", rep.Added, "reconnected", rep.Reconnected, "refiltered", rep.Refiltered, "removed", rep.Removed,
		"auth", rep.Auth, "plugins", rep.Plugins, "virtual_servers", rep.VirtualServers)
	if stopErr != nil {
		// Applied, but a replaced session was still stopping at ctx's end;
		// it goes on stopping on its own.
		g.logger.Warn("config reload: replaced upstream sessions still stopping", "err", stopErr)
	}
	return rep, nil
}

// swapVirtualTransports serves added virtual servers and shuts the removed
// ones' downstream transports down (their sessions and idle sweeper).
func (g *Gateway) swapVirtualTransports(ctx context.Context, added, removed []string) {
	var retired []*mcpserver.StreamableHTTPServer
	g.virtualMu.Lock()
	for _, name := range added {
		srv, _ := g.fed.VirtualServer(name)
		g.virtual[name] = mcpserver.NewStreamableHTTPServer(srv, slices.Concat(g.streamOpts, []mcpserver.StreamableHTTPOption{g.sessionOption(name)})...)
	}
	for _, name := range removed {
		retired = append(retired, g.virtual[name])
		delete(g.virtual, name)
	}
	g.virtualMu.Unlock()
	for _, s := range retired {
		_ = s.Shutdown(ctx)
	}
}

// releasePools closes what stopped sessions leave behind: the TLS
// transports no longer used, and the shared pool's idle connections when
// an HTTP upstream on it stopped (net/http cannot close one host's idle
// connections alone, so the others re-dial on their next call).
func (g *Gateway) releasePools(stopped []config.Upstream, dropped []*pool.Transport) {
	for _, t := range dropped {
		_ = t.Close()
	}
	for _, u := range stopped {
		if u.Transport != config.TransportStdio && u.TLS == nil {
			_ = g.pool.Shared().Close()
			return
		}
	}
}

// authenticate runs the authenticator in force for each request, so a
// reload's tokens apply to the next request of every session.
func (g *Gateway) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.auth.Load().Middleware(next).ServeHTTP(w, r)
	})
}

// maxReloadWait bounds an admin reload request.
const maxReloadWait = 30 * time.Second

// serveReload is POST /admin/reload: re-read the config file and apply it.
// It needs admin.token (not a client token); without one the endpoint does
// not exist. 200 with the report, 422 with the error when refused.
func (g *Gateway) serveReload(w http.ResponseWriter, r *http.Request) {
	want := g.live.Load().Admin.Token
	if want == "" {
		notFound(w)
		return
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mcp-gateway-admin"`)
		jsonrpc.WriteError(w, http.StatusUnauthorized, &jsonrpc.Error{Code: jsonrpc.CodeUnauthorized, Message: "unauthorized"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxReloadWait)
	defer cancel()
	rep, err := g.ReloadFile(ctx, TriggerAdmin)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "report": rep})
}

// tasks runs background work that shutdown waits for.
type tasks struct{ inflight }

func (t *tasks) run(f func()) {
	t.add()
	go func() {
		defer t.done()
		f()
	}()
}
