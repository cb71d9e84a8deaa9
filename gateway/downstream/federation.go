// Package downstream exposes the federated catalog of all upstreams as MCP
// servers: the main server (everything) and optional virtual servers (a
// chosen subset). It namespaces names as "<upstream><sep><name>", keeps the
// servers in sync with upstream catalog changes, runs the plugin chain
// around every proxied call, enforces per-caller tool allowlists, records
// metrics, and tracks in-flight calls for graceful shutdown.
package downstream

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/yosida95/uritemplate/v3"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/namefilter"
	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/upstream"
)

// MainServerName labels the main server in logs.
const MainServerName = "main"

// Sessions looks upstream sessions up by name.
type Sessions interface {
	Session(name string) (*upstream.Session, bool)
}

// Options configure a Federation.
type Options struct {
	Name           string // server name announced to clients
	Version        string
	Separator      string
	Upstreams      []config.Upstream
	VirtualServers []config.VirtualServer
	Sessions       Sessions
	// Plugins is the plugin chain, replaceable by a reload.
	Plugins *plugin.Live
	Metrics *metrics.Metrics
	Logger  *slog.Logger
	// Tracer records a span per proxied call; nil means no tracing.
	Tracer trace.Tracer
}

// Federation owns the downstream MCP servers.
type Federation struct {
	opts Options
	sep  string
	// upstreams holds per-upstream downstream settings (forwarded
	// headers, the configured names); a reload replaces it.
	upstreams atomic.Pointer[upstreamSettings]
	main      *view
	flight    tracker
	// abortCtx ends with Abort; every call's context follows it, through
	// one of abortShards (children of abortCtx), taken in turn: each call
	// registers with and leaves its shard under the shard's lock, which
	// so is not one lock every call queues for.
	abortCtx    context.Context
	abortNow    context.CancelFunc
	abortShards [16]context.Context
	shardStops  [16]context.CancelFunc // the shards end with abortCtx; these only release them
	abortNext   atomic.Uint32

	mu       sync.RWMutex // serialises catalog syncs and virtual server changes; calls read under RLock
	virtual  map[string]*view
	vsOrder  []string
	views    []*view
	catalogs map[string]upstream.Catalog
}

// view is one MCP server and the selection of the catalog it exposes.
type view struct {
	name   string
	server *mcpserver.MCPServer
	// all selects everything (the main server); otherwise the selectors
	// match downstream names (resources: URIs and URI templates).
	all                             bool
	toolSel, resourceSel, promptSel namefilter.Set

	// What is registered now, to diff against on the next sync.
	toolDefs     map[string]mcp.Tool
	resourceDefs map[string]mcp.Resource
	templateDefs map[string]mcp.ResourceTemplate
	promptDefs   map[string]mcp.Prompt
}

// New creates the main server and one server per virtual server.
func New(opts Options) (*Federation, error) {
	if opts.Tracer == nil {
		opts.Tracer = noop.NewTracerProvider().Tracer("")
	}
	f := &Federation{
		opts:     opts,
		sep:      opts.Separator,
		virtual:  map[string]*view{},
		catalogs: map[string]upstream.Catalog{},
	}
	f.abortCtx, f.abortNow = context.WithCancel(context.Background())
	for i := range f.abortShards {
		f.abortShards[i], f.shardStops[i] = context.WithCancel(f.abortCtx)
	}
	f.SetUpstreams(opts.Upstreams)
	f.main = f.newView(MainServerName, true)
	f.views = append(f.views, f.main)
	for i, vs := range opts.VirtualServers {
		v := f.newView(vs.Name, false)
		if err := v.setSelectors(i, vs); err != nil {
			return nil, err
		}
		f.virtual[vs.Name] = v
		f.vsOrder = append(f.vsOrder, vs.Name)
		f.views = append(f.views, v)
	}
	return f, nil
}

// setSelectors compiles a virtual server's patterns (index i for errors).
func (v *view) setSelectors(i int, vs config.VirtualServer) error {
	var err error
	if v.toolSel, err = namefilter.CompileSet(vs.Tools); err != nil {
		return fmt.Errorf("virtual_servers[%d].tools%w", i, err)
	}
	if v.resourceSel, err = namefilter.CompileSet(vs.Resources); err != nil {
		return fmt.Errorf("virtual_servers[%d].resources%w", i, err)
	}
	if v.promptSel, err = namefilter.CompileSet(vs.Prompts); err != nil {
		return fmt.Errorf("virtual_servers[%d].prompts%w", i, err)
	}
	return nil
}

// upstreamSettings are the per-upstream settings of the downstream side.
type upstreamSettings struct {
	forward map[string][]string // upstream -> forwarded client headers
	known   map[string]bool     // configured upstream names
}

// SetUpstreams installs the per-upstream settings the downstream side
// applies (forwarded headers, which names are upstreams).
func (f *Federation) SetUpstreams(ups []config.Upstream) {
	st := &upstreamSettings{forward: make(map[string][]string, len(ups)), known: make(map[string]bool, len(ups))}
	for _, u := range ups {
		hs := make([]string, 0, len(u.ForwardHeaders))
		for _, h := range u.ForwardHeaders {
			hs = append(hs, http.CanonicalHeaderKey(h))
		}
		st.forward[u.Name] = hs
		st.known[u.Name] = true
	}
	f.upstreams.Store(st)
}

func (f *Federation) newView(name string, all bool) *view {
	serverName := f.opts.Name
	if !all {
		serverName += "/" + name
	}
	return &view{
		name: name,
		all:  all,
		server: mcpserver.NewMCPServer(serverName, f.opts.Version,
			mcpserver.WithToolCapabilities(true),
			mcpserver.WithResourceCapabilities(false, true),
			mcpserver.WithPromptCapabilities(true),
			mcpserver.WithToolFilter(allowedTools),
			mcpserver.WithPromptFilter(allowedPrompts),
			mcpserver.WithHooks(resourceHooks()),
			mcpserver.WithRecovery(),
			mcpserver.WithResourceRecovery(),
		),
		toolDefs:     map[string]mcp.Tool{},
		resourceDefs: map[string]mcp.Resource{},
		templateDefs: map[string]mcp.ResourceTemplate{},
		promptDefs:   map[string]mcp.Prompt{},
	}
}

// allowedTools applies the caller's tool allowlist, both when listing and
// (mcp-go re-runs filters) when calling. No principal means no tools: the
// auth middleware always sets one, so its absence is a wiring bug.
func allowedTools(ctx context.Context, tools []mcp.Tool) []mcp.Tool {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil
	}
	if p.Tools == nil {
		return tools
	}
	return slices.DeleteFunc(slices.Clone(tools), func(t mcp.Tool) bool { return !p.MayCall(t.Name) })
}

// Server returns the main MCP server.
func (f *Federation) Server() *mcpserver.MCPServer { return f.main.server }

// VirtualServer returns the named virtual server.
func (f *Federation) VirtualServer(name string) (*mcpserver.MCPServer, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	v, ok := f.virtual[name]
	if !ok {
		return nil, false
	}
	return v.server, true
}

// VirtualNames lists the virtual servers in configuration order.
func (f *Federation) VirtualNames() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return slices.Clone(f.vsOrder)
}

// Namespaced joins an upstream name and an upstream-side name.
func (f *Federation) Namespaced(up, name string) string { return up + f.sep + name }

// UpdateCatalog is the upstream.CatalogFunc: it records the upstream's
// catalog and brings every server in line, sending listChanged
// notifications only for what actually changed.
func (f *Federation) UpdateCatalog(up string, cat upstream.Catalog) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.catalogs[up] = cat
	f.syncAllLocked()
}

// Entries of the desired state, keyed by downstream name / URI.
type (
	toolEntry struct {
		def     mcp.Tool
		handler mcpserver.ToolHandlerFunc
	}
	resourceEntry struct {
		def     mcp.Resource
		handler mcpserver.ResourceHandlerFunc
	}
	templateEntry struct {
		def     mcp.ResourceTemplate
		handler mcpserver.ResourceTemplateHandlerFunc
	}
	promptEntry struct {
		def     mcp.Prompt
		handler mcpserver.PromptHandlerFunc
	}
)

func (f *Federation) desired() (map[string]toolEntry, map[string]resourceEntry, map[string]templateEntry, map[string]promptEntry) {
	tools := map[string]toolEntry{}
	resources := map[string]resourceEntry{}
	templates := map[string]templateEntry{}
	prompts := map[string]promptEntry{}
	for up, cat := range f.catalogs {
		for _, t := range cat.Tools {
			def := t
			def.Name = f.Namespaced(up, t.Name)
			// mcp-go panics on tools with invalid x-mcp-header annotations;
			// one bad upstream tool must not take the gateway down.
			if err := mcp.ValidateParamHeaderAnnotations(&def); err != nil {
				f.opts.Logger.Warn("skipping upstream tool with invalid header annotations", "upstream", up, "tool", t.Name, "err", err)
				continue
			}
			tools[def.Name] = toolEntry{def: def, handler: f.toolHandler(up, t.Name)}
		}
		for _, r := range cat.Resources {
			def := r
			def.URI = f.Namespaced(up, r.URI)
			resources[def.URI] = resourceEntry{def: def, handler: f.resourceHandler(up)}
		}
		for _, t := range cat.Templates {
			raw, err := uritemplate.New(f.Namespaced(up, t.URITemplate.Raw()))
			if err != nil {
				f.opts.Logger.Warn("skipping upstream resource template", "upstream", up, "template", t.URITemplate.Raw(), "err", err)
				continue
			}
			def := t
			def.URITemplate = &mcp.URITemplate{Template: raw}
			templates[raw.Raw()] = templateEntry{def: def, handler: mcpserver.ResourceTemplateHandlerFunc(f.resourceHandler(up))}
		}
		for _, p := range cat.Prompts {
			def := p
			def.Name = f.Namespaced(up, p.Name)
			prompts[def.Name] = promptEntry{def: def, handler: f.promptHandler(up, p.Name)}
		}
	}
	return tools, resources, templates, prompts
}

func (v *view) selects(set namefilter.Set, name string) bool {
	return v.all || set.Match(name)
}

// syncView diffs the desired state against what v has registered.
func (f *Federation) syncView(v *view, tools map[string]toolEntry, resources map[string]resourceEntry, templates map[string]templateEntry, prompts map[string]promptEntry) {
	var addTools []mcpserver.ServerTool
	for name, e := range tools {
		if !v.selects(v.toolSel, name) {
			continue
		}
		if old, ok := v.toolDefs[name]; !ok || !reflect.DeepEqual(old, e.def) {
			addTools = append(addTools, mcpserver.ServerTool{Tool: e.def, Handler: e.handler})
		}
	}
	var delTools []string
	for name := range v.toolDefs {
		if _, ok := tools[name]; !ok || !v.selects(v.toolSel, name) {
			delTools = append(delTools, name)
		}
	}
	if len(delTools) > 0 {
		v.server.DeleteTools(delTools...)
		for _, n := range delTools {
			delete(v.toolDefs, n)
		}
	}
	if len(addTools) > 0 {
		v.server.AddTools(addTools...)
		for _, t := range addTools {
			v.toolDefs[t.Tool.Name] = t.Tool
		}
	}

	var addRes []mcpserver.ServerResource
	for uri, e := range resources {
		if !v.selects(v.resourceSel, uri) {
			continue
		}
		if old, ok := v.resourceDefs[uri]; !ok || !reflect.DeepEqual(old, e.def) {
			addRes = append(addRes, mcpserver.ServerResource{Resource: e.def, Handler: e.handler})
		}
	}
	var delRes []string
	for uri := range v.resourceDefs {
		if _, ok := resources[uri]; !ok || !v.selects(v.resourceSel, uri) {
			delRes = append(delRes, uri)
		}
	}
	if len(delRes) > 0 {
		v.server.DeleteResources(delRes...)
		for _, u := range delRes {
			delete(v.resourceDefs, u)
		}
	}
	if len(addRes) > 0 {
		v.server.AddResources(addRes...)
		for _, r := range addRes {
			v.resourceDefs[r.Resource.URI] = r.Resource
		}
	}

	// mcp-go cannot delete single templates, so any change replaces the set.
	wantTpl := map[string]mcp.ResourceTemplate{}
	var tplEntries []mcpserver.ServerResourceTemplate
	for raw, e := range templates {
		if v.selects(v.resourceSel, raw) {
			wantTpl[raw] = e.def
			tplEntries = append(tplEntries, mcpserver.ServerResourceTemplate{Template: e.def, Handler: e.handler})
		}
	}
	if !templatesEqual(wantTpl, v.templateDefs) {
		v.server.SetResourceTemplates(tplEntries...)
		v.templateDefs = wantTpl
	}

	var addPrompts []mcpserver.ServerPrompt
	for name, e := range prompts {
		if !v.selects(v.promptSel, name) {
			continue
		}
		if old, ok := v.promptDefs[name]; !ok || !reflect.DeepEqual(old, e.def) {
			addPrompts = append(addPrompts, mcpserver.ServerPrompt{Prompt: e.def, Handler: e.handler})
		}
	}
	var delPrompts []string
	for name := range v.promptDefs {
		if _, ok := prompts[name]; !ok || !v.selects(v.promptSel, name) {
			delPrompts = append(delPrompts, name)
		}
	}
	if len(delPrompts) > 0 {
		v.server.DeletePrompts(delPrompts...)
		for _, n := range delPrompts {
			delete(v.promptDefs, n)
		}
	}
	if len(addPrompts) > 0 {
		v.server.AddPrompts(addPrompts...)
		for _, p := range addPrompts {
			v.promptDefs[p.Prompt.Name] = p.Prompt
		}
	}
}

// templatesEqual compares by raw template and the rest of the definition;
// URITemplate pointers differ between builds, so compare their strings.
func templatesEqual(a, b map[string]mcp.ResourceTemplate) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok {
			return false
		}
		x.URITemplate, y.URITemplate = nil, nil
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// ToolNames lists the tools a server currently exposes (for tests/logs).
func (f *Federation) ToolNames(server string) []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	v := f.main
	if server != MainServerName {
		var ok bool
		if v, ok = f.virtual[server]; !ok {
			return nil
		}
	}
	names := slices.Collect(maps.Keys(v.toolDefs))
	slices.Sort(names)
	return names
}

// forwardedHeaders copies only the client headers configured for up.
func (f *Federation) forwardedHeaders(up string, in http.Header) http.Header {
	names := f.upstreams.Load().forward[up]
	if len(names) == 0 || in == nil {
		return nil
	}
	out := http.Header{}
	for _, n := range names {
		if vs := in.Values(n); len(vs) > 0 {
			out[n] = slices.Clone(vs)
		}
	}
	return out
}

// upstreamOf splits a namespaced name into upstream and upstream-side name.
func (f *Federation) upstreamOf(name string) (string, string, bool) {
	return strings.Cut(name, f.sep)
}
