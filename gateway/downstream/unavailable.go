package downstream

import (
	"context"
	"strings"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/plugin"
)

// Unavailable tells, for a name the server view ("" for the main server,
// else a virtual server's name) does not expose now,
// whether it lies in the namespace of a configured upstream that is down
// (never connected, or lost): then the client should hear "upstream X is
// unavailable", not "not found". It returns that upstream. Names the caller
// or the view may not see are never reported, so nothing leaks.
func (f *Federation) Unavailable(ctx context.Context, view string, kind plugin.Kind, name string) (string, bool) {
	v := f.main
	if view != "" {
		var ok bool
		if v, ok = f.virtual[view]; !ok {
			return "", false
		}
	}
	up, _, ok := strings.Cut(name, f.sep)
	if !ok {
		return "", false
	}
	if !f.upstreams.Load().known[up] {
		return "", false
	}
	p, ok := auth.FromContext(ctx)
	if !ok {
		return "", false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	switch kind {
	case plugin.KindTool:
		if _, has := v.toolDefs[name]; has || !p.MayCall(name) || !v.selects(v.toolSel, name) {
			return "", false
		}
	case plugin.KindPrompt:
		if _, has := v.promptDefs[name]; has || !p.MayGetPrompt(name) || !v.selects(v.promptSel, name) {
			return "", false
		}
	case plugin.KindResource:
		if len(v.templateDefs) > 0 && hasTemplateFor(v, up, f.sep) {
			return "", false // a template of this upstream may serve it
		}
		if _, has := v.resourceDefs[name]; has || !p.MayRead(name) || !v.selects(v.resourceSel, name) {
			return "", false
		}
	}
	if s, ok := f.opts.Sessions.Session(up); ok && s.Status().Up {
		return "", false
	}
	return up, true
}

func hasTemplateFor(v *view, up, sep string) bool {
	for raw := range v.templateDefs {
		if strings.HasPrefix(raw, up+sep) {
			return true
		}
	}
	return false
}

// UpstreamFor returns the configured upstream whose namespace name (a
// tool or prompt name, a resource URI) lies in.
func (f *Federation) UpstreamFor(name string) (string, bool) {
	up, _, ok := strings.Cut(name, f.sep)
	return up, ok && f.upstreams.Load().known[up]
}
