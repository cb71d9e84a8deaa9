// Package plugins has the two plugins the gateway runs around every
// forwarded tool call: content moderation and an audit webhook. Each opens
// its own HTTP client and never releases it: neither has the Shutdown
// method that Plugin, the lifecycle every plugin is meant to follow,
// declares. The host only holds them as hooks, so this compiles.
package plugins

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// Plugin is the lifecycle every plugin is meant to implement: Init before
// the first call, Shutdown when the gateway stops.
type Plugin interface {
	Init(ctx context.Context) error
	Shutdown(ctx context.Context) error
}

// Package-level settings of the plugins' HTTP transports.
const (
	pluginMaxIdleConnsPerHost = 16
	pluginIdleConnTimeout     = 90 * time.Second
	pluginTimeout             = 5 * time.Second
)

// Moderation refuses tool calls whose string arguments contain a blocked
// word, and asks a moderation service when an endpoint is configured.
type Moderation struct {
	Endpoint string
	Blocked  []string
	client   *http.Client
}

// NewModeration returns the moderation plugin; endpoint may be empty.
func NewModeration(endpoint string, blocked ...string) *Moderation {
	return &Moderation{Endpoint: endpoint, Blocked: blocked}
}

// Init opens the plugin's HTTP client.
func (m *Moderation) Init(ctx context.Context) error {
	m.client = &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: pluginMaxIdleConnsPerHost, IdleConnTimeout: pluginIdleConnTimeout},
		Timeout:   pluginTimeout,
	}
	return nil
}

// Before checks a call's arguments before it is forwarded.
func (m *Moderation) Before(ctx context.Context, tool string, args map[string]any) error {
	var texts []string
	for _, v := range args {
		if s, ok := v.(string); ok {
			texts = append(texts, s)
		}
	}
	for _, t := range texts {
		for _, w := range m.Blocked {
			if w != "" && strings.Contains(strings.ToLower(t), strings.ToLower(w)) {
				return fmt.Errorf("moderation: %s: blocked content", tool)
			}
		}
	}
	if m.Endpoint == "" || len(texts) == 0 {
		return nil
	}
	body, err := json.Marshal(map[string]any{"tool": tool, "texts": texts})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		return fmt.Errorf("moderation: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("moderation: %s: blocked by service", tool)
	}
	return nil
}

// After does nothing: moderation only looks at requests.
func (m *Moderation) After(ctx context.Context, tool string, res *mcp.CallToolResult, callErr error) {
}

// Audit posts one event per forwarded call to a webhook, when a URL is
// configured.
type Audit struct {
	URL    string
	client *http.Client
}

// NewAudit returns the audit plugin and opens its HTTP client; url may be
// empty.
func NewAudit(url string) *Audit {
	return &Audit{
		URL: url,
		client: &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: pluginMaxIdleConnsPerHost, IdleConnTimeout: pluginIdleConnTimeout},
			Timeout:   pluginTimeout,
		},
	}
}

// Init has nothing to do: the client was opened by NewAudit.
func (a *Audit) Init(ctx context.Context) error { return nil }

// Before does nothing: the audit records outcomes.
func (a *Audit) Before(ctx context.Context, tool string, args map[string]any) error { return nil }

// After posts the call's outcome to the webhook.
func (a *Audit) After(ctx context.Context, tool string, res *mcp.CallToolResult, callErr error) {
	if a.URL == "" {
		return
	}
	event := map[string]any{"tool": tool, "ok": callErr == nil && res != nil && !res.IsError, "at": time.Now().UTC()}
	body, err := json.Marshal(event)
	if err != nil {
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return
	}
	resp.Body.Close()
}
