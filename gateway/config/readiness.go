package config

import (
	"fmt"
	"slices"
	"time"
)

// Readiness policies.
const (
	ReadyAll = "all" // every considered upstream is up
	ReadyAny = "any" // at least one considered upstream is up
)

// ReadinessConfig decides when /readyz answers 200.
type ReadinessConfig struct {
	// Require is "all" or "any" (default): with "all", one upstream down
	// takes every replica out of the load balancer, and with it the
	// upstreams that still work.
	Require string `yaml:"require"`
	// Upstreams names the upstreams considered; empty means all.
	Upstreams []string `yaml:"upstreams"`
	// DrainGrace is how long, on shutdown, /readyz answers 503 while
	// everything is still served, before the listener closes: long
	// enough for the load balancer's health checks to notice (interval x
	// failure threshold). It comes before shutdown_timeout. Default 0.
	DrainGrace time.Duration `yaml:"drain_grace"`
}

func (r *ReadinessConfig) applyDefaults() { setDefault(&r.Require, ReadyAny) }

func (c *Config) validateReadiness(v *validator) {
	r := c.Readiness
	if r.Require != ReadyAll && r.Require != ReadyAny {
		v.add("readiness.require", "must be %q or %q", ReadyAll, ReadyAny)
	}
	for i, name := range r.Upstreams {
		if !slices.ContainsFunc(c.Upstreams, func(u Upstream) bool { return u.Name == name }) {
			v.add(fmt.Sprintf("readiness.upstreams[%d]", i), "no upstream is named %q", name)
		}
	}
	if r.DrainGrace < 0 {
		v.add("readiness.drain_grace", "must not be negative")
	}
}
