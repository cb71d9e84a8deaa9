package pool

import (
	"net/http"

	"github.com/churnlint/churnlint/gateway/config"
)

// Plan is the pool a set of upstreams needs: existing TLS transports are
// kept for profiles still in use, new profiles get a transport (built
// here, with its certificates loaded), and profiles no longer used are
// dropped when the plan is applied.
type Plan struct {
	profiles   map[config.TLS]*Transport
	byUpstream map[string]*Transport
	added      []*Transport
	shared     *Transport
}

// Plan prepares the transports for upstreams without installing them. It
// fails, changing nothing, if a TLS profile cannot be loaded.
func (p *Pool) Plan(upstreams []config.Upstream) (*Plan, error) {
	tlsConfs, err := loadTLSProfiles(upstreams)
	if err != nil {
		return nil, err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	pl := &Plan{profiles: map[config.TLS]*Transport{}, byUpstream: map[string]*Transport{}, shared: p.shared}
	for _, u := range upstreams {
		if u.TLS == nil {
			pl.byUpstream[u.Name] = p.shared
			continue
		}
		t, ok := pl.profiles[*u.TLS]
		if !ok {
			t, ok = p.profiles[*u.TLS]
		}
		if !ok {
			// Once per new TLS profile, at startup or in a reload.
			t = p.newTransport("tls-"+u.Name, tlsConfs[*u.TLS])
			pl.added = append(pl.added, t)
		}
		pl.profiles[*u.TLS] = t
		pl.byUpstream[u.Name] = t
	}
	return pl, nil
}

// ClientFor is the client the named upstream will use once pl is applied.
func (pl *Plan) ClientFor(upstream string) *http.Client {
	if t, ok := pl.byUpstream[upstream]; ok {
		return t.client
	}
	return pl.shared.client
}

// Discard releases the transports a plan built, when its reload is
// refused.
func (pl *Plan) Discard() {
	for _, t := range pl.added {
		_ = t.Close()
	}
}

// Apply installs pl and returns the TLS transports it no longer uses. The
// caller closes them once the sessions that used them have stopped.
func (p *Pool) Apply(pl *Plan) (dropped []*Transport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for profile, t := range p.profiles {
		if pl.profiles[profile] != t {
			dropped = append(dropped, t)
		}
	}
	p.profiles, p.byUpstream = pl.profiles, pl.byUpstream
	return dropped
}
