package owners

import "net/http"

// Getter hides its client behind an interface with no release method.
type Getter interface {
	Get(url string) (*http.Response, error)
}

func newGetter() Getter { return &http.Client{Transport: &http.Transport{}} }

// resolver wraps the getter; Module keeps the resolver. Only the outermost
// owner, Module, is reported: releasing is its job.
type resolver struct {
	Getter
	name string
}

func (m *Module) makeResolver() resolver { return resolver{Getter: newGetter(), name: "r"} }

// Module is a caddy-style module: Cleanup is its release method, and it
// does not release the resolver; the field's type offers nothing to call.
type Module struct {
	res resolver
}

func (m *Module) Provision() error {
	m.res = m.makeResolver()
	return nil
}

func (m *Module) Cleanup() error { // want `Module.Cleanup does not release the pool in Module.res, whose type has no release method.* \| the pool is created here \(Module.makeResolver -> newGetter -> &http.Transport\{\}, created in Module.Provision\).* \| no automatic fix: owners.resolver has no CloseIdleConnections or Close method to call`
	return nil
}
