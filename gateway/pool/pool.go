// Package pool owns every connection pool the gateway uses to reach
// upstream MCP servers.
//
// There is one shared, tuned *http.Transport for all plain upstreams and one
// transport per distinct TLS profile (CA, client certificate, server name),
// all built once in New. Per-call code only ever looks clients up; it never
// builds transports, which would cost a TCP+TLS handshake per call and leak
// idle connections.
package pool

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
)

// SharedLabel is the metrics label of the shared transport.
const SharedLabel = "shared"

// Transport is one connection pool: a tuned *http.Transport and the
// instrumented *http.Client in front of it.
type Transport struct {
	label string
	// client is the only reference kept: its RoundTripper forwards
	// CloseIdleConnections to the *http.Transport underneath.
	client *http.Client
	stats  *Instrumentation
}

// NewTransport builds one pool. It is meant to run at startup only; tlsConf
// may be nil for the default TLS settings.
func NewTransport(label string, cfg config.PoolConfig, tlsConf *tls.Config, m *metrics.Metrics) *Transport {
	stats := NewInstrumentation(m, label, &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: cfg.KeepAlive})
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           stats.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   cfg.TLSHandshakeTimeout,
		MaxIdleConns:          cfg.MaxIdleConns,
		MaxIdleConnsPerHost:   cfg.MaxIdleConnsPerHost,
		MaxConnsPerHost:       max(cfg.MaxConnsPerHost, 0), // -1: no cap, Go's 0
		IdleConnTimeout:       cfg.IdleConnTimeout,
		ExpectContinueTimeout: time.Second,
		// No ResponseHeaderTimeout or Client.Timeout: SSE and streamed
		// responses are long-lived, so every call carries a context
		// deadline instead.
	}
	return &Transport{label: label, stats: stats, client: &http.Client{Transport: stats.Wrap(transport)}}
}

// Client returns the pool's shared client. Callers must not mutate it (in
// particular not its Timeout).
func (t *Transport) Client() *http.Client { return t.client }

// Label is the metrics label of this pool.
func (t *Transport) Label() string { return t.label }

// Stats exposes the pool's connection counters.
func (t *Transport) Stats() *Instrumentation { return t.stats }

// Close releases the pool's idle connections.
func (t *Transport) Close() error {
	t.client.CloseIdleConnections()
	return nil
}

// Pool maps upstreams to the transport they must use.
type Pool struct {
	cfg     config.PoolConfig
	metrics *metrics.Metrics
	wrap    func(http.RoundTripper) http.RoundTripper
	shared  *Transport

	// mu guards the maps, which a reload replaces (reload.go).
	mu         sync.RWMutex
	profiles   map[config.TLS]*Transport
	byUpstream map[string]*Transport
}

// New builds the shared transport and one transport per distinct upstream
// TLS profile. Upstreams with identical TLS settings share a transport.
func New(cfg config.PoolConfig, upstreams []config.Upstream, m *metrics.Metrics, opts ...Option) (*Pool, error) {
	p := &Pool{cfg: cfg, metrics: m}
	for _, o := range opts {
		o(p)
	}
	p.shared = p.newTransport(SharedLabel, nil)
	plan, err := p.Plan(upstreams)
	if err != nil {
		return nil, err
	}
	p.Apply(plan)
	return p, nil
}

// Option configures a Pool.
type Option func(*Pool)

// WithRoundTripperWrap wraps every pool's round tripper once, when the
// pool is built (tracing wraps them this way). The wrapper must forward
// CloseIdleConnections.
func WithRoundTripperWrap(wrap func(http.RoundTripper) http.RoundTripper) Option {
	return func(p *Pool) { p.wrap = wrap }
}

// newTransport builds one of p's pools, wrapped before anyone sees it.
func (p *Pool) newTransport(label string, tlsConf *tls.Config) *Transport {
	t := NewTransport(label, p.cfg, tlsConf, p.metrics)
	if p.wrap != nil {
		t.client.Transport = p.wrap(t.client.Transport)
	}
	return t
}

// ClientFor returns the long-lived client for the named upstream.
func (p *Pool) ClientFor(upstream string) *http.Client {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if t, ok := p.byUpstream[upstream]; ok {
		return t.client
	}
	return p.shared.client
}

// TransportFor returns the pool serving the named upstream.
func (p *Pool) TransportFor(upstream string) *Transport {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if t, ok := p.byUpstream[upstream]; ok {
		return t
	}
	return p.shared
}

// Shared returns the shared pool.
func (p *Pool) Shared() *Transport { return p.shared }

// ProfileCount is the number of TLS-specific transports (for tests/logs).
func (p *Pool) ProfileCount() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.profiles)
}

// Close releases idle connections of every pool. In-flight requests are
// not interrupted; call it after upstream sessions are closed.
func (p *Pool) Close() error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	p.shared.client.CloseIdleConnections()
	for _, t := range p.profiles {
		t.client.CloseIdleConnections()
	}
	return nil
}

// loadTLSProfiles reads certificates once per distinct profile.
func loadTLSProfiles(upstreams []config.Upstream) (map[config.TLS]*tls.Config, error) {
	out := map[config.TLS]*tls.Config{}
	var errs []error
	for i, u := range upstreams {
		if u.TLS == nil {
			continue
		}
		if _, ok := out[*u.TLS]; ok {
			continue
		}
		tc, err := buildTLSConfig(*u.TLS)
		if err != nil {
			errs = append(errs, fmt.Errorf("upstreams[%d].tls: %w", i, err))
			continue
		}
		out[*u.TLS] = tc
	}
	return out, errors.Join(errs...)
}

func buildTLSConfig(t config.TLS) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		// Only the configured CA is trusted: a private upstream PKI should
		// not also accept any public certificate for that name.
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file: no PEM certificates in %s", t.CAFile)
		}
		tc.RootCAs = roots
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("cert_file/key_file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// NewPluginClient builds the instrumented client a plugin owns: its own
// small pool, created once when the plugin is built and released by the
// plugin's Shutdown.
func NewPluginClient(m *metrics.Metrics, label string, timeout time.Duration, maxIdle, maxIdlePerHost int) *http.Client {
	stats := NewInstrumentation(m, label, &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second})
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         stats.DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        maxIdle,
		MaxIdleConnsPerHost: maxIdlePerHost,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: timeout,
	}
	return &http.Client{Transport: stats.Wrap(transport)}
}
