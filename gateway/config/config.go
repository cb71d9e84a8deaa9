// Package config loads and validates the gateway's YAML configuration.
//
// Unknown keys are errors (the decoder runs with KnownFields), and every
// validation error names the offending key path, e.g.
// "upstreams[1].url: must be an absolute http or https URL".
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"
)

// Transport names accepted for upstream connections.
const (
	TransportStreamableHTTP = "streamable-http"
	TransportSSE            = "sse"
	// TransportStdio runs the upstream as a child process speaking MCP
	// over its stdin and stdout.
	TransportStdio = "stdio"
)

// DefaultUpstreamProtocol is the MCP revision spoken to streamable-HTTP
// upstreams unless upstreams[].protocol_version says otherwise: the newest
// one with sessions (mcp.LATEST_LEGACY_PROTOCOL_VERSION; config does not
// import mcp-go).
const DefaultUpstreamProtocol = "2025-11-25"

// UpstreamProtocols are the revisions upstreams[].protocol_version accepts
// (those mcp-go's client speaks over streamable HTTP).
var UpstreamProtocols = []string{"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"}

// Plugin modes.
const (
	ModeEnforce    = "enforce"
	ModePermissive = "permissive"
	ModeDisabled   = "disabled"
)

// Plugin error policies.
const (
	OnErrorFail   = "fail"
	OnErrorIgnore = "ignore"
)

// Config is the whole gateway configuration.
type Config struct {
	// Listen is the downstream address, host:port.
	Listen string `yaml:"listen"`
	// NameSeparator joins upstream name and tool/prompt name (and prefixes
	// resource URIs): "<upstream><sep><name>".
	NameSeparator string `yaml:"name_separator"`
	// MaxBodyBytes caps downstream request bodies.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// ShutdownTimeout bounds the graceful drain on SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// SessionIdleTTL drops downstream streamable-HTTP session state after
	// this much inactivity.
	SessionIdleTTL time.Duration `yaml:"session_idle_ttl"`

	HTTP           HTTPConfig      `yaml:"http"`
	Sessions       SessionsConfig  `yaml:"sessions"`
	Readiness      ReadinessConfig `yaml:"readiness"`
	Redis          RedisConfig     `yaml:"redis"`
	Log            LogConfig       `yaml:"log"`
	Auth           AuthConfig      `yaml:"auth"`
	Pool           PoolConfig      `yaml:"pool"`
	Admission      AdmissionConfig `yaml:"admission"`
	Upstreams      []Upstream      `yaml:"upstreams"`
	VirtualServers []VirtualServer `yaml:"virtual_servers"`
	Plugins        []Plugin        `yaml:"plugins"`
	Admin          AdminConfig     `yaml:"admin"`
	Tracing        TracingConfig   `yaml:"tracing"`
}

// LogConfig selects log level and format.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // json, text
}

// AuthConfig configures downstream authentication. Auth is required unless
// Disabled is set explicitly.
type AuthConfig struct {
	Disabled  bool            `yaml:"disabled"`
	Tokens    []Token         `yaml:"tokens"`
	JWT       *JWT            `yaml:"jwt"`
	RateLimit RateLimitConfig `yaml:"rate_limit"`
	// UnauthenticatedRateLimit is a token bucket per client IP that only
	// failed authentications draw from; while it is empty, requests from
	// that IP are refused before their credentials are checked. A negative
	// rate disables it.
	UnauthenticatedRateLimit RateLimitConfig `yaml:"unauthenticated_rate_limit"`
}

// Token is a static bearer token.
type Token struct {
	// Name identifies the caller in logs, metrics and rate limiting.
	Name  string `yaml:"name"`
	Token string `yaml:"token"`
	// AllowedTools are glob patterns on downstream tool names; empty means
	// every tool.
	AllowedTools []string `yaml:"allowed_tools"`
	// AllowedResources are globs on downstream resource URIs (matched
	// normalised) and URI templates; empty means every resource.
	AllowedResources []string `yaml:"allowed_resources"`
	// AllowedPrompts are globs on downstream prompt names; empty means
	// every prompt.
	AllowedPrompts []string `yaml:"allowed_prompts"`
}

// JWT configures bearer JWT validation.
type JWT struct {
	Algorithm     string        `yaml:"algorithm"` // HS256 or RS256
	Secret        string        `yaml:"secret"`
	PublicKeyFile string        `yaml:"public_key_file"`
	Issuer        string        `yaml:"issuer"`
	Audience      string        `yaml:"audience"`
	Leeway        time.Duration `yaml:"leeway"`
	// ToolsClaim names a claim holding a list of tool globs the token may
	// call. A missing claim means every tool.
	ToolsClaim string `yaml:"tools_claim"`
	// ResourcesClaim and PromptsClaim do the same for resources and
	// prompts.
	ResourcesClaim string `yaml:"resources_claim"`
	PromptsClaim   string `yaml:"prompts_claim"`
}

// RateLimitConfig is a per-caller token bucket. Zero rate disables it.
type RateLimitConfig struct {
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	Burst             int     `yaml:"burst"`
}

// PoolConfig tunes the shared upstream HTTP transport.
type PoolConfig struct {
	MaxIdleConns        int `yaml:"max_idle_conns"`
	MaxIdleConnsPerHost int `yaml:"max_idle_conns_per_host"`
	// MaxConnsPerHost caps connections per upstream host; 0 means the
	// same as MaxIdleConnsPerHost, -1 no cap (bursts beyond the idle
	// limit then open connections that are closed after one call).
	MaxConnsPerHost     int           `yaml:"max_conns_per_host"`
	IdleConnTimeout     time.Duration `yaml:"idle_conn_timeout"`
	DialTimeout         time.Duration `yaml:"dial_timeout"`
	KeepAlive           time.Duration `yaml:"keep_alive"`
	TLSHandshakeTimeout time.Duration `yaml:"tls_handshake_timeout"`
}

// Upstream is one federated MCP server.
type Upstream struct {
	Name      string            `yaml:"name"`
	URL       string            `yaml:"url"`
	Transport string            `yaml:"transport"`
	Headers   map[string]string `yaml:"headers"`
	// BearerToken is sent upstream as "Authorization: Bearer ...".
	BearerToken string `yaml:"bearer_token"`
	// ForwardHeaders lists downstream client headers copied to upstream
	// calls. Nothing is forwarded by default.
	ForwardHeaders []string `yaml:"forward_headers"`
	TLS            *TLS     `yaml:"tls"`
	// ProtocolVersion is the MCP revision the gateway speaks to a
	// streamable-HTTP upstream. The default, the newest session-oriented
	// revision, negotiates once per session; "2026-07-28" (stateless)
	// repeats the negotiation in every call's _meta and headers, which
	// costs both sides CPU on every call (see LOADTEST.md).
	ProtocolVersion string `yaml:"protocol_version"`
	// MaxInFlight bounds the calls to this upstream in flight at once
	// (see AdmissionConfig); default: pool.max_conns_per_host.
	MaxInFlight     int           `yaml:"max_in_flight"`
	Timeouts        Timeouts      `yaml:"timeouts"`
	Health          Health        `yaml:"health"`
	Reconnect       Reconnect     `yaml:"reconnect"`
	RefreshInterval time.Duration `yaml:"refresh_interval"`
	Tools           Filter        `yaml:"tools"`
	Resources       Filter        `yaml:"resources"`
	Prompts         Filter        `yaml:"prompts"`

	// Stdio is the child process of a stdio upstream (command, args,
	// env, dir); see stdio.go.
	Stdio `yaml:",inline"`
}

// TLS holds per-upstream TLS settings. Upstreams with equal settings share
// one transport.
type TLS struct {
	CAFile     string `yaml:"ca_file"`
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	ServerName string `yaml:"server_name"`
}

// Timeouts bound upstream operations.
type Timeouts struct {
	Connect time.Duration `yaml:"connect"` // start + initialize
	Call    time.Duration `yaml:"call"`    // one tool call / read / get
	Health  time.Duration `yaml:"health"`  // one health probe
}

// Health configures periodic health checks.
type Health struct {
	Interval         time.Duration `yaml:"interval"`
	FailureThreshold int           `yaml:"failure_threshold"`
}

// Reconnect configures the reconnect backoff (exponential, with jitter).
type Reconnect struct {
	InitialBackoff time.Duration `yaml:"initial_backoff"`
	MaxBackoff     time.Duration `yaml:"max_backoff"`
}

// Filter is an allow/deny pair of globs on upstream-side names (tool and
// prompt names, resource URIs and URI templates).
type Filter struct {
	Allow []string `yaml:"allow"`
	Deny  []string `yaml:"deny"`
}

// VirtualServer exposes a subset of the federated catalog at
// /servers/<name>/mcp. Patterns match downstream (namespaced) names.
type VirtualServer struct {
	Name      string   `yaml:"name"`
	Tools     []string `yaml:"tools"`
	Resources []string `yaml:"resources"`
	Prompts   []string `yaml:"prompts"`
}

// Plugin configures one plugin instance.
type Plugin struct {
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Mode    string `yaml:"mode"`
	OnError string `yaml:"on_error"`
	// Config is the plugin-specific block, decoded strictly by the plugin.
	Config yaml.Node `yaml:"config"`
}

// Load reads, expands, decodes, defaults and validates the file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse is Load for in-memory YAML.
func Parse(data []byte) (*Config, error) {
	// Pass 1: check the file as written against the Config type, so
	// unknown keys and values of the wrong kind are reported by key path
	// and real line number (yaml.v3 names Go types instead).
	var written yaml.Node
	if err := yaml.Unmarshal(data, &written); err != nil {
		return nil, err
	}
	if written.Kind == 0 {
		return nil, errors.New("empty configuration")
	}
	if err := checkKeys(&written, reflect.TypeFor[Config](), ""); err != nil {
		return nil, err
	}
	// A strict decode stays as the backstop for anything checkKeys does
	// not know.
	var strict Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&strict); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty configuration")
		}
		return nil, err
	}
	// Pass 2: expand ${VAR} inside string values (never in comments or
	// keys) and decode the result.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if err := expandEnv(&root); err != nil {
		return nil, err
	}
	var cfg Config
	if err := root.Decode(&cfg); err != nil {
		return nil, err
	}
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// DecodeStrict decodes a plugin config block into v, rejecting unknown keys
// and values of the wrong kind by key path and by their line in the file
// (the node keeps its position). An empty block leaves v untouched.
func DecodeStrict(node *yaml.Node, v any) error {
	if node == nil || node.Kind == 0 {
		return nil
	}
	if err := checkKeys(node, reflect.TypeOf(v), ""); err != nil {
		return err
	}
	return node.Decode(v)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${NAME} in scalar values with the environment
// variable NAME, so secrets need not live in the file. Only the braced form
// is expanded (a bare '$' in a token stays), and an unset variable is an
// error naming the line, not a silent empty string.
func expandEnv(n *yaml.Node) error {
	var errs []error
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
				name := envRef.FindStringSubmatch(m)[1]
				v, ok := os.LookupEnv(name)
				if !ok {
					errs = append(errs, fmt.Errorf("line %d: environment variable %s is not set", n.Line, name))
					return m
				}
				return v
			})
			return
		}
		for i, c := range n.Content {
			// Mapping keys sit at even indexes; never expand them.
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				continue
			}
			walk(c)
		}
	}
	walk(n)
	return errors.Join(errs...)
}

func (c *Config) applyDefaults() {
	setDefault(&c.Listen, "127.0.0.1:8080")
	setDefault(&c.NameSeparator, "__")
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.SessionIdleTTL == 0 {
		c.SessionIdleTTL = 30 * time.Minute
	}
	c.HTTP.applyDefaults()
	c.Sessions.applyDefaults()
	c.Readiness.applyDefaults()
	c.Redis.applyDefaults()
	c.Auth.applyUnauthenticatedDefaults()
	setDefault(&c.Log.Level, "info")
	setDefault(&c.Log.Format, "json")

	p := &c.Pool
	// Go's default of 2 idle conns per host forces new connections as soon
	// as more than two calls overlap; size for real concurrency instead.
	if p.MaxIdleConnsPerHost == 0 {
		p.MaxIdleConnsPerHost = 128
	}
	// A connection opened beyond the idle limit is closed when its call
	// ends, so a burst above the limit is churn: by default no more
	// connections are opened than can be kept, and a burst waits for one.
	if p.MaxConnsPerHost == 0 {
		p.MaxConnsPerHost = p.MaxIdleConnsPerHost
	}
	// The global idle limit must not evict one upstream's connections to
	// keep another's.
	if p.MaxIdleConns == 0 {
		p.MaxIdleConns = max(256, p.MaxIdleConnsPerHost*len(c.Upstreams))
	}
	if p.IdleConnTimeout == 0 {
		p.IdleConnTimeout = 90 * time.Second
	}
	if p.DialTimeout == 0 {
		p.DialTimeout = 10 * time.Second
	}
	if p.KeepAlive == 0 {
		p.KeepAlive = 30 * time.Second
	}
	if p.TLSHandshakeTimeout == 0 {
		p.TLSHandshakeTimeout = 10 * time.Second
	}

	for i := range c.Upstreams {
		u := &c.Upstreams[i]
		setDefault(&u.Transport, TransportStreamableHTTP)
		setDefault(&u.ProtocolVersion, DefaultUpstreamProtocol)
		if u.Timeouts.Connect == 0 {
			u.Timeouts.Connect = 10 * time.Second
		}
		if u.Timeouts.Call == 0 {
			u.Timeouts.Call = 60 * time.Second
		}
		if u.Timeouts.Health == 0 {
			u.Timeouts.Health = 5 * time.Second
		}
		if u.Health.Interval == 0 {
			u.Health.Interval = 15 * time.Second
		}
		if u.Health.FailureThreshold == 0 {
			u.Health.FailureThreshold = 3
		}
		if u.Reconnect.InitialBackoff == 0 {
			u.Reconnect.InitialBackoff = 500 * time.Millisecond
		}
		if u.Reconnect.MaxBackoff == 0 {
			u.Reconnect.MaxBackoff = 30 * time.Second
		}
		if u.RefreshInterval == 0 {
			u.RefreshInterval = 5 * time.Minute
		}
	}
	c.applyAdmissionDefaults()
	for i := range c.Plugins {
		setDefault(&c.Plugins[i].Mode, ModeEnforce)
		setDefault(&c.Plugins[i].OnError, OnErrorFail)
	}
	if j := c.Auth.JWT; j != nil {
		setDefault(&j.ToolsClaim, "tools")
		setDefault(&j.ResourcesClaim, "resources")
		setDefault(&j.PromptsClaim, "prompts")
	}
}

func setDefault(s *string, v string) {
	if *s == "" {
		*s = v
	}
}
