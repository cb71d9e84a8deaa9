package config

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/churnlint/churnlint/gateway/namefilter"
)

var (
	// Upstream and virtual-server names end up in tool names, metric labels
	// and URL paths, so keep them boring.
	namePattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	separatorPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,8}$`)
	tokenNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)
)

// headersNeverForwarded are client headers that would let a caller override
// upstream credentials, session state or framing.
var headersNeverForwarded = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Host", "Content-Type",
	"Content-Length", "Accept", "Connection", "Transfer-Encoding", "Upgrade",
	"Te", "Trailer", "Keep-Alive", "Mcp-Session-Id", "Mcp-Protocol-Version",
	"Last-Event-Id",
}

// validator accumulates errors, each prefixed with its key path.
type validator struct{ errs []error }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func (v *validator) positive(path string, d time.Duration) {
	if d <= 0 {
		v.add(path, "must be a positive duration")
	}
}

func (v *validator) globs(path string, patterns []string) {
	for i, pattern := range patterns {
		if _, err := namefilter.Compile(pattern); err != nil {
			v.add(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
	}
}

// Validate checks the whole configuration and reports every problem found.
func (c *Config) Validate() error {
	v := &validator{}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		v.add("listen", "must be host:port: %v", err)
	}
	if !separatorPattern.MatchString(c.NameSeparator) {
		v.add("name_separator", "must be 1-8 characters of [A-Za-z0-9_.-]")
	}
	if c.MaxBodyBytes < 1024 {
		v.add("max_body_bytes", "must be at least 1024")
	}
	v.positive("shutdown_timeout", c.ShutdownTimeout)
	c.validateAdmission(v)
	v.positive("session_idle_ttl", c.SessionIdleTTL)
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		v.add("log.level", "must be one of debug, info, warn, error")
	}
	if !slices.Contains([]string{"json", "text"}, c.Log.Format) {
		v.add("log.format", "must be json or text")
	}
	c.HTTP.validate(v)
	c.Sessions.validate(v)
	c.validateReadiness(v)
	c.Redis.validate(v)
	c.validateAuth(v)
	c.validatePool(v)
	c.validateUpstreams(v)
	c.validateVirtualServers(v)
	c.validatePlugins(v)
	c.validateAdmin(v)
	c.validateTracing(v)
	return errors.Join(v.errs...)
}

func (c *Config) validateAuth(v *validator) {
	a := &c.Auth
	if !a.Disabled && len(a.Tokens) == 0 && a.JWT == nil {
		v.add("auth", "no tokens or jwt configured; authentication is required (set auth.disabled: true to opt out explicitly)")
	}
	if a.Disabled && (len(a.Tokens) > 0 || a.JWT != nil) {
		v.add("auth.disabled", "cannot be true while tokens or jwt are configured")
	}
	names := map[string]bool{}
	secrets := map[string]bool{}
	for i, t := range a.Tokens {
		p := fmt.Sprintf("auth.tokens[%d]", i)
		if !tokenNamePattern.MatchString(t.Name) {
			v.add(p+".name", "must be 1-64 characters of [A-Za-z0-9_.@-]")
		}
		if names[t.Name] {
			v.add(p+".name", "duplicate token name %q", t.Name)
		}
		names[t.Name] = true
		if len(t.Token) < 16 {
			v.add(p+".token", "must be at least 16 characters")
		}
		if secrets[t.Token] {
			v.add(p+".token", "duplicate token value")
		}
		secrets[t.Token] = true
		v.globs(p+".allowed_tools", t.AllowedTools)
		v.globs(p+".allowed_resources", t.AllowedResources)
		v.globs(p+".allowed_prompts", t.AllowedPrompts)
	}
	if j := a.JWT; j != nil {
		switch j.Algorithm {
		case "HS256":
			if len(j.Secret) < 32 {
				v.add("auth.jwt.secret", "must be at least 32 bytes for HS256")
			}
			if j.PublicKeyFile != "" {
				v.add("auth.jwt.public_key_file", "not used with HS256")
			}
		case "RS256":
			if j.PublicKeyFile == "" {
				v.add("auth.jwt.public_key_file", "required for RS256")
			}
			if j.Secret != "" {
				v.add("auth.jwt.secret", "not used with RS256")
			}
		default:
			v.add("auth.jwt.algorithm", "must be HS256 or RS256")
		}
		if j.Leeway < 0 || j.Leeway > 5*time.Minute {
			v.add("auth.jwt.leeway", "must be between 0 and 5m")
		}
	}
	rl := a.RateLimit
	if rl.RequestsPerSecond < 0 {
		v.add("auth.rate_limit.requests_per_second", "must not be negative")
	}
	if rl.RequestsPerSecond > 0 && rl.Burst < 1 {
		v.add("auth.rate_limit.burst", "must be at least 1 when a rate is set")
	}
	if u := a.UnauthenticatedRateLimit; u.RequestsPerSecond > 0 && u.Burst < 1 {
		v.add("auth.unauthenticated_rate_limit.burst", "must be at least 1 when a rate is set")
	}
}

func (c *Config) validatePool(v *validator) {
	p := c.Pool
	if p.MaxIdleConnsPerHost < 1 {
		v.add("pool.max_idle_conns_per_host", "must be at least 1")
	}
	if p.MaxIdleConns < p.MaxIdleConnsPerHost {
		v.add("pool.max_idle_conns", "must be at least pool.max_idle_conns_per_host")
	}
	if p.MaxConnsPerHost < -1 {
		v.add("pool.max_conns_per_host", "must be -1 (no cap), 0 (max_idle_conns_per_host) or positive")
	}
	if p.MaxConnsPerHost > 0 && p.MaxConnsPerHost < p.MaxIdleConnsPerHost {
		v.add("pool.max_conns_per_host", "must be at least max_idle_conns_per_host (or -1 for no cap)")
	}
	v.positive("pool.idle_conn_timeout", p.IdleConnTimeout)
	v.positive("pool.dial_timeout", p.DialTimeout)
	v.positive("pool.keep_alive", p.KeepAlive)
	v.positive("pool.tls_handshake_timeout", p.TLSHandshakeTimeout)
}

func (c *Config) validateUpstreams(v *validator) {
	names := map[string]bool{}
	if len(c.Upstreams) == 0 {
		v.add("upstreams", "at least one upstream is required")
	}
	for i := range c.Upstreams {
		u := &c.Upstreams[i]
		p := fmt.Sprintf("upstreams[%d]", i)
		if !namePattern.MatchString(u.Name) {
			v.add(p+".name", "must match %s", namePattern)
		} else if strings.Contains(u.Name, c.NameSeparator) {
			v.add(p+".name", "must not contain the name separator %q", c.NameSeparator)
		}
		if names[u.Name] {
			v.add(p+".name", "duplicate upstream name %q", u.Name)
		}
		names[u.Name] = true

		if u.Transport == TransportStdio {
			u.validateStdio(v, p)
			c.validateUpstreamTimings(v, p, u)
			continue
		}
		u.rejectStdioKeys(v, p)
		parsed, err := url.Parse(u.URL)
		switch {
		case err != nil:
			v.add(p+".url", "invalid URL: %v", err)
		case parsed.Scheme != "http" && parsed.Scheme != "https" || parsed.Host == "":
			v.add(p+".url", "must be an absolute http or https URL")
		case parsed.User != nil:
			v.add(p+".url", "must not contain credentials; use bearer_token or headers")
		}
		if u.Transport != TransportStreamableHTTP && u.Transport != TransportSSE {
			v.add(p+".transport", "must be %q, %q or %q", TransportStreamableHTTP, TransportSSE, TransportStdio)
		}
		if !slices.Contains(UpstreamProtocols, u.ProtocolVersion) {
			v.add(p+".protocol_version", "must be one of %v", UpstreamProtocols)
		}
		for name := range u.Headers {
			if http.CanonicalHeaderKey(name) == "Authorization" && u.BearerToken != "" {
				v.add(p+".headers."+name, "conflicts with bearer_token")
			}
			if !validHeaderName(name) {
				v.add(p+".headers."+name, "invalid header name")
			}
		}
		for j, h := range u.ForwardHeaders {
			hp := fmt.Sprintf("%s.forward_headers[%d]", p, j)
			if !validHeaderName(h) {
				v.add(hp, "invalid header name %q", h)
			} else if slices.Contains(headersNeverForwarded, http.CanonicalHeaderKey(h)) {
				v.add(hp, "header %q may not be forwarded", h)
			}
		}
		if t := u.TLS; t != nil {
			if err == nil && parsed.Scheme != "https" {
				v.add(p+".tls", "requires an https url")
			}
			if (t.CertFile == "") != (t.KeyFile == "") {
				v.add(p+".tls", "cert_file and key_file must be set together")
			}
		}
		c.validateUpstreamTimings(v, p, u)
	}
}

// validateUpstreamTimings checks what every transport has: timeouts,
// health, reconnect backoff, refresh and filters.
func (c *Config) validateUpstreamTimings(v *validator, p string, u *Upstream) {
	v.positive(p+".timeouts.connect", u.Timeouts.Connect)
	v.positive(p+".timeouts.call", u.Timeouts.Call)
	v.positive(p+".timeouts.health", u.Timeouts.Health)
	v.positive(p+".health.interval", u.Health.Interval)
	if u.Health.FailureThreshold < 1 {
		v.add(p+".health.failure_threshold", "must be at least 1")
	}
	v.positive(p+".reconnect.initial_backoff", u.Reconnect.InitialBackoff)
	if u.Reconnect.MaxBackoff < u.Reconnect.InitialBackoff {
		v.add(p+".reconnect.max_backoff", "must be at least initial_backoff")
	}
	v.positive(p+".refresh_interval", u.RefreshInterval)
	v.globs(p+".tools.allow", u.Tools.Allow)
	v.globs(p+".tools.deny", u.Tools.Deny)
	v.globs(p+".resources.allow", u.Resources.Allow)
	v.globs(p+".resources.deny", u.Resources.Deny)
	v.globs(p+".prompts.allow", u.Prompts.Allow)
	v.globs(p+".prompts.deny", u.Prompts.Deny)
}

func (c *Config) validateVirtualServers(v *validator) {
	names := map[string]bool{}
	for i, s := range c.VirtualServers {
		p := fmt.Sprintf("virtual_servers[%d]", i)
		if !namePattern.MatchString(s.Name) {
			v.add(p+".name", "must match %s", namePattern)
		}
		if names[s.Name] {
			v.add(p+".name", "duplicate virtual server name %q", s.Name)
		}
		names[s.Name] = true
		if len(s.Tools)+len(s.Resources)+len(s.Prompts) == 0 {
			v.add(p, "selects nothing: set tools, resources or prompts")
		}
		v.globs(p+".tools", s.Tools)
		v.globs(p+".resources", s.Resources)
		v.globs(p+".prompts", s.Prompts)
	}
}

func (c *Config) validatePlugins(v *validator) {
	names := map[string]bool{}
	for i, pl := range c.Plugins {
		p := fmt.Sprintf("plugins[%d]", i)
		if !namePattern.MatchString(pl.Name) {
			v.add(p+".name", "must match %s", namePattern)
		}
		if names[pl.Name] {
			v.add(p+".name", "duplicate plugin name %q", pl.Name)
		}
		names[pl.Name] = true
		if pl.Type == "" {
			v.add(p+".type", "required")
		}
		if !slices.Contains([]string{ModeEnforce, ModePermissive, ModeDisabled}, pl.Mode) {
			v.add(p+".mode", "must be enforce, permissive or disabled")
		}
		if pl.OnError != OnErrorFail && pl.OnError != OnErrorIgnore {
			v.add(p+".on_error", "must be fail or ignore")
		}
	}
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}
