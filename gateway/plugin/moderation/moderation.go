// Package moderation is a gateway plugin that sends tool arguments and
// results (and optionally resource and prompt contents) to a content
// moderation HTTP endpoint, and blocks or redacts according to its verdict.
//
// Endpoint protocol (POST, JSON):
//
//	request:  {"direction":"input"|"output","kind":"tool","name":"demo__echo",
//	           "upstream":"demo","principal":"alice","texts":["...", ...]}
//	response: {"verdict":"allow"|"block"|"redact","reason":"...",
//	           "texts":["...", ...]}
//
// "texts" are the string values found in the arguments or the text parts of
// the result, in a stable order; a "redact" verdict returns them rewritten,
// same length and order, and the plugin substitutes them in place.
package moderation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/pool"
)

// Type is the plugin type name used in configuration.
const Type = "moderation"

// maxResponseBytes bounds how much of a moderation answer is read.
const maxResponseBytes = 4 << 20

// Config is the plugin's "config" block.
type Config struct {
	Endpoint    string            `yaml:"endpoint"`
	BearerToken string            `yaml:"bearer_token"`
	Headers     map[string]string `yaml:"headers"`
	// Timeout bounds one moderation request.
	Timeout time.Duration `yaml:"timeout"`
	// CheckArguments / CheckResults select the directions (default both).
	CheckArguments *bool `yaml:"check_arguments"`
	CheckResults   *bool `yaml:"check_results"`
	// Kinds selects operations: tool, resource, prompt (default tool).
	Kinds []string `yaml:"kinds"`
	// MaxIdleConnsPerHost sizes the plugin's own pool (default 16).
	MaxIdleConnsPerHost int `yaml:"max_idle_conns_per_host"`
}

// Plugin is the moderation plugin.
type Plugin struct {
	name     string
	cfg      Config
	endpoint string
	kinds    []plugin.Kind
	// client owns the plugin's pool; its RoundTripper forwards
	// CloseIdleConnections to the transport underneath.
	client *http.Client

	shutdownOnce sync.Once
}

// New builds the plugin and its HTTP client, once; hooks reuse it.
func New(name string, block *yaml.Node, deps plugin.Deps) (*Plugin, error) {
	var cfg Config
	if err := config.DecodeStrict(block, &cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("config.endpoint: must be an absolute http or https URL")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("config.timeout: must be positive")
	}
	if cfg.MaxIdleConnsPerHost == 0 {
		cfg.MaxIdleConnsPerHost = 16
	}
	p := &Plugin{name: name, cfg: cfg, endpoint: u.String()}
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = []string{string(plugin.KindTool)}
	}
	kinds, err := plugin.ParseKinds(cfg.Kinds)
	if err != nil {
		return nil, err
	}
	p.kinds = kinds
	p.client = pool.NewPluginClient(deps.Metrics, "plugin-"+name, cfg.Timeout, cfg.MaxIdleConnsPerHost, cfg.MaxIdleConnsPerHost)
	return p, nil
}

// Name implements plugin.Plugin.
func (p *Plugin) Name() string { return p.name }

// Init implements plugin.Plugin. The client already exists; nothing to do.
func (p *Plugin) Init(context.Context) error { return nil }

// Shutdown releases the plugin's idle connections. Moderation requests are
// synchronous with calls, so once calls have drained nothing is in flight.
func (p *Plugin) Shutdown(context.Context) error {
	p.shutdownOnce.Do(func() {
		p.client.CloseIdleConnections()
	})
	return nil
}

func (p *Plugin) wants(kind plugin.Kind) bool { return slices.Contains(p.kinds, kind) }

func enabled(b *bool) bool { return b == nil || *b }

// PreCall moderates the call's arguments.
func (p *Plugin) PreCall(ctx context.Context, call *plugin.Call) (plugin.Verdict, error) {
	if !enabled(p.cfg.CheckArguments) || !p.wants(call.Kind) || len(call.Arguments) == 0 {
		return plugin.Verdict{}, nil
	}
	texts := collectStrings(call.Arguments, nil)
	if len(texts) == 0 {
		return plugin.Verdict{}, nil
	}
	res, err := p.moderate(ctx, "input", call, texts)
	if err != nil {
		return plugin.Verdict{}, err
	}
	switch res.Verdict {
	case "block":
		return plugin.Verdict{Action: plugin.Block, Reason: res.Reason}, nil
	case "redact":
		it := &replacer{texts: res.Texts}
		args, _ := replaceStrings(call.Arguments, it).(map[string]any)
		return plugin.Verdict{Action: plugin.Modify, Reason: res.Reason, Arguments: args}, nil
	}
	return plugin.Verdict{}, nil
}

// PostCall moderates the result's text.
func (p *Plugin) PostCall(ctx context.Context, call *plugin.Call, out *plugin.Outcome) (plugin.Verdict, error) {
	if !enabled(p.cfg.CheckResults) || !p.wants(call.Kind) || out.Err != nil {
		return plugin.Verdict{}, nil
	}
	texts := outcomeTexts(out)
	if len(texts) == 0 {
		return plugin.Verdict{}, nil
	}
	res, err := p.moderate(ctx, "output", call, texts)
	if err != nil {
		return plugin.Verdict{}, err
	}
	switch res.Verdict {
	case "block":
		return plugin.Verdict{Action: plugin.Block, Reason: res.Reason}, nil
	case "redact":
		return plugin.Verdict{Action: plugin.Modify, Reason: res.Reason, Outcome: redactOutcome(out, res.Texts)}, nil
	}
	return plugin.Verdict{}, nil
}

type request struct {
	Direction string   `json:"direction"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Upstream  string   `json:"upstream"`
	Principal string   `json:"principal"`
	Texts     []string `json:"texts"`
}

type response struct {
	Verdict string   `json:"verdict"`
	Reason  string   `json:"reason"`
	Texts   []string `json:"texts"`
}

func (p *Plugin) moderate(ctx context.Context, direction string, call *plugin.Call, texts []string) (*response, error) {
	body, err := json.Marshal(request{
		Direction: direction, Kind: string(call.Kind), Name: call.Name,
		Upstream: call.Upstream, Principal: call.Principal, Texts: texts,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range p.cfg.Headers {
		req.Header.Set(k, v)
	}
	if p.cfg.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.BearerToken)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("moderation request: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("moderation response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("moderation endpoint answered %d", resp.StatusCode)
	}
	var res response
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("moderation response: %w", err)
	}
	switch res.Verdict {
	case "allow", "block":
	case "redact":
		if len(res.Texts) != len(texts) {
			return nil, fmt.Errorf("moderation redact verdict returned %d texts for %d", len(res.Texts), len(texts))
		}
	default:
		return nil, fmt.Errorf("moderation endpoint returned unknown verdict %q", res.Verdict)
	}
	return &res, nil
}
