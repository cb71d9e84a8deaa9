package downstream

import (
	"slices"

	"github.com/churnlint/churnlint/gateway/config"
)

// RemoveUpstream drops an upstream's catalog from every server, after a
// reload removed it and its session stopped (so no late catalog update
// can bring it back).
func (f *Federation) RemoveUpstream(up string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.catalogs[up]; !ok {
		return
	}
	delete(f.catalogs, up)
	f.syncAllLocked()
}

// SetVirtualServers brings the virtual servers in line with vss: new ones
// get a fresh MCP server, kept ones keep theirs (and their downstream
// sessions) with the new selectors, and the others are dropped. It returns
// the names added and removed; the caller serves and retires their HTTP
// transports. Nothing changes if a selector does not compile.
func (f *Federation) SetVirtualServers(vss []config.VirtualServer) (added, removed []string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := make(map[string]*view, len(vss))
	order := make([]string, 0, len(vss))
	for i, vs := range vss {
		v := f.virtual[vs.Name]
		if v == nil {
			v = f.newView(vs.Name, false)
			added = append(added, vs.Name)
		} else {
			// Compile into a copy so a failure leaves v as it was.
			cp := *v
			v = &cp
		}
		if err := v.setSelectors(i, vs); err != nil {
			return nil, nil, err
		}
		next[vs.Name] = v
		order = append(order, vs.Name)
	}
	for _, name := range f.vsOrder {
		if _, ok := next[name]; !ok {
			removed = append(removed, name)
		}
	}
	// Kept views were copied; carry the copies' selectors over to the
	// originals, whose MCP servers and registered definitions stay.
	for name, v := range next {
		if old, ok := f.virtual[name]; ok {
			old.toolSel, old.resourceSel, old.promptSel = v.toolSel, v.resourceSel, v.promptSel
			next[name] = old
		}
	}
	f.virtual, f.vsOrder = next, order
	f.views = []*view{f.main}
	for _, name := range order {
		f.views = append(f.views, next[name])
	}
	f.syncAllLocked()
	return added, removed, nil
}

// syncAllLocked brings every server in line with the recorded catalogs.
func (f *Federation) syncAllLocked() {
	tools, resources, templates, prompts := f.desired()
	for _, v := range f.views {
		f.syncView(v, tools, resources, templates, prompts)
	}
}

// UpstreamNames lists the upstreams whose catalogs are federated now.
func (f *Federation) UpstreamNames() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	names := make([]string, 0, len(f.catalogs))
	for n := range f.catalogs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
