// Package webhook is a gateway plugin that posts call events (tool calls by
// default) to configured URLs.
//
// Events go through a bounded queue to a single worker, so a slow receiver
// never slows calls down: when the queue is full, events are dropped and
// counted. Each delivery is retried with exponential backoff and jitter, and
// signed with HMAC-SHA256:
//
//	X-Gateway-Timestamp: <unix seconds>
//	X-Gateway-Signature: sha256=<hex(HMAC(secret, timestamp + "." + body))>
//
// Receivers check it with Verify and should reject stale timestamps.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/backoff"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/pool"
)

// Type is the plugin type name used in configuration.
const Type = "webhook"

// Header names set on every delivery.
const (
	HeaderSignature = "X-Gateway-Signature"
	HeaderTimestamp = "X-Gateway-Timestamp"
	HeaderEventID   = "X-Gateway-Event-Id"
)

// Config is the plugin's "config" block.
type Config struct {
	URLs    []string          `yaml:"urls"`
	Secret  string            `yaml:"secret"`
	Headers map[string]string `yaml:"headers"`
	// QueueSize bounds buffered events (default 1024).
	QueueSize int `yaml:"queue_size"`
	// MaxAttempts per URL and event, first try included (default 5).
	MaxAttempts    int           `yaml:"max_attempts"`
	InitialBackoff time.Duration `yaml:"initial_backoff"`
	MaxBackoff     time.Duration `yaml:"max_backoff"`
	// Timeout bounds one delivery attempt (default 5s).
	Timeout time.Duration `yaml:"timeout"`
	// Kinds selects operations: tool, resource, prompt (default tool).
	Kinds []string `yaml:"kinds"`
}

// Event is the JSON body of a delivery.
type Event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Time       time.Time `json:"time"`
	Upstream   string    `json:"upstream"`
	Name       string    `json:"name"`
	Target     string    `json:"target"`
	Principal  string    `json:"principal"`
	DurationMS float64   `json:"duration_ms"`
	// Outcome is ok, tool_error, error, blocked, plugin_error, denied or
	// draining (see plugin.Record).
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// Plugin is the webhook plugin.
type Plugin struct {
	name      string
	cfg       Config
	urls      []string
	kinds     []plugin.Kind
	policy    backoff.Policy
	logger    *slog.Logger
	delivered *prometheus.CounterVec
	dropped   prometheus.Counter

	// client owns the plugin's pool; its RoundTripper forwards
	// CloseIdleConnections to the transport underneath.
	client *http.Client

	mu     sync.RWMutex // guards closed against concurrent enqueue
	closed bool
	queue  chan Event

	started      bool
	done         chan struct{}
	workerCtx    context.Context
	cancelWorker context.CancelFunc
	shutdownOnce sync.Once
}

// New validates the config and builds the plugin's HTTP client, once. The
// worker starts in Init.
func New(name string, block *yaml.Node, deps plugin.Deps) (*Plugin, error) {
	var cfg Config
	if err := config.DecodeStrict(block, &cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(cfg.URLs) == 0 {
		return nil, errors.New("config.urls: at least one URL is required")
	}
	for i, raw := range cfg.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("config.urls[%d]: must be an absolute http or https URL", i)
		}
	}
	if len(cfg.Secret) < 16 {
		return nil, errors.New("config.secret: must be at least 16 characters")
	}
	setDefault(&cfg.QueueSize, 1024)
	setDefault(&cfg.MaxAttempts, 5)
	setDefaultDuration(&cfg.InitialBackoff, 200*time.Millisecond)
	setDefaultDuration(&cfg.MaxBackoff, 10*time.Second)
	setDefaultDuration(&cfg.Timeout, 5*time.Second)
	if cfg.QueueSize < 1 || cfg.MaxAttempts < 1 || cfg.InitialBackoff < 0 || cfg.MaxBackoff < cfg.InitialBackoff || cfg.Timeout < 0 {
		return nil, errors.New("config: queue_size and max_attempts must be >= 1, durations positive, max_backoff >= initial_backoff")
	}
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = []string{string(plugin.KindTool)}
	}
	p := &Plugin{
		name:      name,
		cfg:       cfg,
		urls:      cfg.URLs,
		policy:    backoff.Policy{Initial: cfg.InitialBackoff, Max: cfg.MaxBackoff},
		logger:    deps.Logger.With("plugin", name),
		delivered: deps.Metrics.WebhookDeliveries.MustCurryWith(prometheus.Labels{"plugin": name}),
		dropped:   deps.Metrics.WebhookDropped.WithLabelValues(name),
		queue:     make(chan Event, cfg.QueueSize),
		done:      make(chan struct{}),
	}
	kinds, err := plugin.ParseKinds(cfg.Kinds)
	if err != nil {
		return nil, err
	}
	p.kinds = kinds
	// One worker: at most one request per URL at a time.
	p.client = pool.NewPluginClient(deps.Metrics, "plugin-"+name, cfg.Timeout, len(cfg.URLs)*2, 2)
	p.workerCtx, p.cancelWorker = context.WithCancel(context.Background())
	return p, nil
}

func setDefault(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

func setDefaultDuration(v *time.Duration, d time.Duration) {
	if *v == 0 {
		*v = d
	}
}

// Name implements plugin.Plugin.
func (p *Plugin) Name() string { return p.name }

// Init starts the delivery worker.
func (p *Plugin) Init(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("webhook plugin already shut down")
	}
	if !p.started {
		p.started = true
		go p.run()
	}
	return nil
}

// Shutdown stops accepting events, lets the worker drain the queue until
// ctx expires (then aborts outstanding deliveries), waits for the worker to
// exit, and releases the idle connections.
func (p *Plugin) Shutdown(ctx context.Context) error {
	var err error
	p.shutdownOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		close(p.queue)
		started := p.started
		p.mu.Unlock()

		if started {
			select {
			case <-p.done:
			case <-ctx.Done():
				p.cancelWorker()
				<-p.done // the worker stops promptly once cancelled
				err = fmt.Errorf("webhook queue not fully drained: %w", ctx.Err())
			}
		}
		p.cancelWorker()
		p.client.CloseIdleConnections()
	})
	return err
}

// PreCall implements plugin.Plugin; webhooks only observe outcomes.
func (p *Plugin) PreCall(context.Context, *plugin.Call) (plugin.Verdict, error) {
	return plugin.Verdict{}, nil
}

// PostCall implements plugin.Plugin; events come from Audit, which also
// sees the calls a pre hook stopped.
func (p *Plugin) PostCall(context.Context, *plugin.Call, *plugin.Outcome) (plugin.Verdict, error) {
	return plugin.Verdict{}, nil
}

// Audit queues an event for every call the gateway handled, with its
// outcome. It never blocks.
func (p *Plugin) Audit(_ context.Context, call *plugin.Call, rec plugin.Record) {
	if !slices.Contains(p.kinds, call.Kind) {
		return
	}
	ev := Event{
		ID:         newID(),
		Type:       eventType(call.Kind),
		Time:       time.Now().UTC(),
		Upstream:   call.Upstream,
		Name:       call.Name,
		Target:     call.Target,
		Principal:  call.Principal,
		DurationMS: float64(rec.Duration.Microseconds()) / 1000,
		Outcome:    rec.Outcome,
	}
	if rec.Err != nil {
		// Receivers are the operator's own: they get the detail.
		ev.Error = rec.Err.Error()
	}
	p.enqueue(ev)
}

func (p *Plugin) enqueue(ev Event) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		p.dropped.Inc()
		return
	}
	select {
	case p.queue <- ev:
	default:
		p.dropped.Inc()
		p.logger.Warn("webhook queue full, event dropped", "event_id", ev.ID)
	}
}

func eventType(k plugin.Kind) string {
	switch k {
	case plugin.KindResource:
		return "resource_read"
	case plugin.KindPrompt:
		return "prompt_get"
	}
	return "tool_call"
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// run is the single delivery worker. It exits when the queue is closed and
// drained, or when cancelled.
func (p *Plugin) run() {
	defer close(p.done)
	for ev := range p.queue {
		if p.workerCtx.Err() != nil {
			p.dropped.Inc()
			continue
		}
		body, err := json.Marshal(ev)
		if err != nil {
			p.logger.Error("webhook event encoding failed", "err", err)
			continue
		}
		for _, u := range p.urls {
			p.deliver(p.workerCtx, u, ev.ID, body)
		}
	}
}

// deliver posts body to target, retrying retryable failures with backoff.
func (p *Plugin) deliver(ctx context.Context, target, id string, body []byte) {
	for attempt := 0; attempt < p.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(p.policy.Delay(attempt - 1))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				p.delivered.WithLabelValues("aborted").Inc()
				return
			}
		}
		retry, err := p.attempt(ctx, target, id, body)
		if err == nil {
			p.delivered.WithLabelValues("ok").Inc()
			return
		}
		p.logger.Warn("webhook delivery failed", "url", target, "event_id", id, "attempt", attempt+1, "err", err, "retry", retry)
		if !retry {
			p.delivered.WithLabelValues("rejected").Inc()
			return
		}
		p.delivered.WithLabelValues("retry").Inc()
	}
	p.delivered.WithLabelValues("exhausted").Inc()
}

func (p *Plugin) attempt(ctx context.Context, target, id string, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	for k, v := range p.cfg.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderEventID, id)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign([]byte(p.cfg.Secret), ts, body))
	resp, err := p.client.Do(req)
	if err != nil {
		return ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded), err
	}
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode >= 500:
		return true, fmt.Errorf("receiver answered %d", resp.StatusCode)
	default:
		return false, fmt.Errorf("receiver answered %d", resp.StatusCode)
	}
}

// Sign returns the signature header value for body sent at timestamp ts.
func Sign(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature header value in constant time.
func Verify(secret []byte, ts string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature))
}
