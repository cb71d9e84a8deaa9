package config

import (
	"fmt"
	"strings"
	"time"
)

// HTTPConfig hardens the downstream HTTP listener against slow and greedy
// clients. Every key has a safe default.
type HTTPConfig struct {
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadBodyTimeout bounds reading a request's body, from the moment it
	// was authenticated. Long-lived streams (GET) have no body and are not
	// affected; a call's own duration is bounded by the upstream timeouts.
	ReadBodyTimeout time.Duration `yaml:"read_body_timeout"`
	// IdleTimeout closes keep-alive connections idle this long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxConnsPerIP caps concurrent connections from one client IP; a
	// connection beyond it is closed at once. -1 lifts the cap. Behind a
	// reverse proxy every client shares the proxy's IP: size it for that.
	MaxConnsPerIP int `yaml:"max_conns_per_ip"`
	// AllowedHosts are the Host header values (port ignored) the MCP
	// routes accept besides loopback names: the names clients and reverse
	// proxies use for the gateway. This is the DNS-rebinding guard: on a
	// loopback listener, only loopback names pass unless listed here.
	// "*" admits any Host.
	AllowedHosts []string `yaml:"allowed_hosts"`
}

func (h *HTTPConfig) applyDefaults() {
	if h.ReadHeaderTimeout == 0 {
		h.ReadHeaderTimeout = 10 * time.Second
	}
	if h.ReadBodyTimeout == 0 {
		h.ReadBodyTimeout = 10 * time.Second
	}
	if h.IdleTimeout == 0 {
		h.IdleTimeout = 2 * time.Minute
	}
	if h.MaxConnsPerIP == 0 {
		h.MaxConnsPerIP = 256
	}
}

func (h *HTTPConfig) validate(v *validator) {
	v.positive("http.read_header_timeout", h.ReadHeaderTimeout)
	v.positive("http.read_body_timeout", h.ReadBodyTimeout)
	v.positive("http.idle_timeout", h.IdleTimeout)
	for i, host := range h.AllowedHosts {
		if host == "" || strings.ContainsAny(host, "/ :") {
			v.add(fmt.Sprintf("http.allowed_hosts[%d]", i), "must be a host name or address without port, or *")
		}
	}
	if h.MaxConnsPerIP < -1 {
		v.add("http.max_conns_per_ip", "must be -1 (no cap) or positive")
	}
}

func (a *AuthConfig) applyUnauthenticatedDefaults() {
	u := &a.UnauthenticatedRateLimit
	// Twenty failed attempts at once, then one a second, per client IP: a
	// client with a typo recovers in seconds, a token guesser crawls.
	if u.RequestsPerSecond == 0 && u.Burst == 0 {
		u.RequestsPerSecond, u.Burst = 1, 20
	}
}
