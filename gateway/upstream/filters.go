package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/namefilter"
)

// filters are an upstream's allow/deny rules on upstream-side names.
type filters struct {
	tools, resources, prompts namefilter.Filter
}

func newFilters(cfg config.Upstream) (filters, error) {
	var f filters
	var err error
	if f.tools, err = namefilter.NewFilter(cfg.Tools.Allow, cfg.Tools.Deny); err != nil {
		return f, fmt.Errorf("upstream %s: tools.%w", cfg.Name, err)
	}
	if f.resources, err = namefilter.NewFilter(cfg.Resources.Allow, cfg.Resources.Deny); err != nil {
		return f, fmt.Errorf("upstream %s: resources.%w", cfg.Name, err)
	}
	if f.prompts, err = namefilter.NewFilter(cfg.Prompts.Allow, cfg.Prompts.Deny); err != nil {
		return f, fmt.Errorf("upstream %s: prompts.%w", cfg.Name, err)
	}
	return f, nil
}

// catalogsEqual compares catalogs as clients see them, on the wire:
// reflect.DeepEqual also compares what the wire never shows (parsed URI
// templates, their caches), so an unchanged catalog looked changed on
// every refresh.
func catalogsEqual(a, b Catalog) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// filterState is the filters in force and the config they came from.
type filterState struct {
	tools, resources, prompts config.Filter
	f                         filters
}

// setFilters installs new filters (a reload that changed nothing else) and
// asks for a catalog refresh, which publishes the refiltered catalog.
func (s *Session) setFilters(cfg config.Upstream, f filters) {
	s.filt.Store(&filterState{tools: cfg.Tools, resources: cfg.Resources, prompts: cfg.Prompts, f: f})
	signal(s.refresh)
}
