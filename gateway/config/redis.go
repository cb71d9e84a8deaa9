package config

import (
	"net"
	"time"
)

// RedisConfig connects the replicas of one gateway to a shared Redis, for
// the state that must be shared to mean anything across replicas: the
// per-principal rate limit (auth.rate_limit). Optional, off unless address
// is set; everything else needs nothing but the same config on every
// replica.
type RedisConfig struct {
	Address  string `yaml:"address"` // host:port
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	DB       int    `yaml:"db"`
	// KeyPrefix namespaces the gateway's keys (default "mcp-gateway:").
	KeyPrefix string `yaml:"key_prefix"`
	// Timeout bounds one Redis round trip on the request path (default
	// 250ms). When Redis is slow or down, each replica falls back to its
	// own limiter rather than failing or admitting everything.
	Timeout time.Duration `yaml:"timeout"`
}

// Enabled reports whether a Redis is configured.
func (r *RedisConfig) Enabled() bool { return r.Address != "" }

func (r *RedisConfig) applyDefaults() {
	if !r.Enabled() {
		return
	}
	setDefault(&r.KeyPrefix, "mcp-gateway:")
	if r.Timeout == 0 {
		r.Timeout = 250 * time.Millisecond
	}
}

func (r *RedisConfig) validate(v *validator) {
	if !r.Enabled() {
		return
	}
	if _, _, err := net.SplitHostPort(r.Address); err != nil {
		v.add("redis.address", "must be host:port: %v", err)
	}
	if r.DB < 0 {
		v.add("redis.db", "must not be negative")
	}
	v.positive("redis.timeout", r.Timeout)
}
