package config

import "time"

// SessionsConfig configures downstream streamable-HTTP session ids.
type SessionsConfig struct {
	// Secret keys the HMAC in session ids. Replicas behind one load
	// balancer must share it, so a session opened on one is served by
	// all. Empty: a random key per process (one replica only).
	Secret string `yaml:"secret"`
	// MaxLifetime is how long an id stays valid, however active; the
	// client then gets 404 and initialises a new session, as MCP says.
	MaxLifetime time.Duration `yaml:"max_lifetime"`
}

func (s *SessionsConfig) applyDefaults() {
	if s.MaxLifetime == 0 {
		s.MaxLifetime = 24 * time.Hour
	}
}

func (s *SessionsConfig) validate(v *validator) {
	if s.Secret != "" && len(s.Secret) < 32 {
		v.add("sessions.secret", "must be at least 32 bytes (or empty for a random per-process key)")
	}
	v.positive("sessions.max_lifetime", s.MaxLifetime)
}
