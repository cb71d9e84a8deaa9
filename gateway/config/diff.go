package config

import (
	"bytes"
	"fmt"
	"reflect"

	"gopkg.in/yaml.v3"
)

// SameUpstream reports whether two upstream configurations are equal, so
// that a reload keeps the running session.
func SameUpstream(a, b Upstream) bool { return reflect.DeepEqual(a, b) }

// SameUpstreamButFilters reports whether a and b differ at most in their
// tool, resource and prompt filters, which a reload applies without
// reconnecting.
func SameUpstreamButFilters(a, b Upstream) bool {
	a.Tools, a.Resources, a.Prompts = Filter{}, Filter{}, Filter{}
	b.Tools, b.Resources, b.Prompts = Filter{}, Filter{}, Filter{}
	return reflect.DeepEqual(a, b)
}

// RestartOnlyChanges lists the settings that differ between the running
// configuration and next but cannot change without a restart: the
// listener, the name separator (every downstream name), the pool (every
// upstream connection), the downstream session TTL, the body limit,
// logging, tracing, and the http, sessions, readiness and redis blocks
// (built into the listener's guards, the session signer and the Redis
// client). A reload that changes any of them is refused whole.
func RestartOnlyChanges(running, next *Config) []error {
	var errs []error
	check := func(key string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			errs = append(errs, fmt.Errorf("%s: changed from %v to %v; this setting needs a restart", key, a, b))
		}
	}
	check("listen", running.Listen, next.Listen)
	check("name_separator", running.NameSeparator, next.NameSeparator)
	check("max_body_bytes", running.MaxBodyBytes, next.MaxBodyBytes)
	check("session_idle_ttl", running.SessionIdleTTL, next.SessionIdleTTL)
	check("log", running.Log, next.Log)
	check("http", running.HTTP, next.HTTP)
	check("sessions", running.Sessions, next.Sessions)
	check("readiness", running.Readiness, next.Readiness)
	check("redis", running.Redis, next.Redis)
	check("tracing", running.Tracing, next.Tracing)
	// max_idle_conns defaults from the number of upstreams; the running
	// value is kept, so only an explicit change counts.
	rp, np := running.Pool, next.Pool
	rp.MaxIdleConns, np.MaxIdleConns = 0, 0
	check("pool", rp, np)
	return errs
}

// SamePlugins reports whether two plugin lists are equal, comparing each
// config block by content (not by where it sits in the file).
func SamePlugins(a, b []Plugin) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.Type != y.Type || x.Mode != y.Mode || x.OnError != y.OnError {
			return false
		}
		xb, errX := yaml.Marshal(&x.Config)
		yb, errY := yaml.Marshal(&y.Config)
		if errX != nil || errY != nil || !bytes.Equal(xb, yb) {
			return false
		}
	}
	return true
}
