// Package plugin defines the hook interface that runs around every proxied
// tool call, resource read and prompt get, and the Chain that applies a
// plugin's mode (enforce, permissive) and error policy (fail, ignore).
//
// Plugins that own network clients create them once in their constructor
// and release them in Shutdown; hooks only use them.
package plugin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/metrics"
)

// Kind is the sort of operation being proxied.
type Kind string

// ParseKinds checks a plugin's configured kinds (config.kinds).
func ParseKinds(kinds []string) ([]Kind, error) {
	out := make([]Kind, 0, len(kinds))
	for i, k := range kinds {
		switch Kind(k) {
		case KindTool, KindResource, KindPrompt:
			out = append(out, Kind(k))
		default:
			return nil, fmt.Errorf("config.kinds[%d]: must be tool, resource or prompt", i)
		}
	}
	return out, nil
}

// Operation kinds.
const (
	KindTool     Kind = "tool"
	KindResource Kind = "resource"
	KindPrompt   Kind = "prompt"
)

// Call describes one proxied operation. Hooks must treat it as read-only:
// changes are returned in a Verdict instead.
type Call struct {
	Kind Kind
	// Upstream is the upstream's configured name.
	Upstream string
	// Name is what the downstream client asked for: a namespaced tool or
	// prompt name, or a namespaced resource URI.
	Name string
	// Target is the upstream-side tool/prompt name or resource URI.
	Target string
	// Principal names the authenticated caller.
	Principal string
	// Arguments are the tool arguments, or the prompt arguments (string
	// values). Nil for resources.
	Arguments map[string]any
}

// Outcome is the upstream's answer to a Call. Exactly one of Tool,
// Resource and Prompt is set on success.
type Outcome struct {
	Tool     *mcp.CallToolResult
	Resource []mcp.ResourceContents
	Prompt   *mcp.GetPromptResult
	// Err is the error the call failed with, if any.
	Err      error
	Duration time.Duration
}

// Action is what a plugin wants done with a call.
type Action int

// Actions a plugin can take.
const (
	Allow  Action = iota // pass unchanged
	Block                // refuse the call (pre) or withhold the result (post)
	Modify               // replace arguments (pre) or the outcome (post)
)

func (a Action) String() string {
	switch a {
	case Allow:
		return "allow"
	case Block:
		return "block"
	case Modify:
		return "modify"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Verdict is a hook's decision.
type Verdict struct {
	Action Action
	Reason string
	// Arguments replaces Call.Arguments when a pre hook returns Modify.
	Arguments map[string]any
	// Outcome replaces the outcome when a post hook returns Modify.
	Outcome *Outcome
}

// Plugin is implemented by every gateway plugin.
type Plugin interface {
	// Name is the configured instance name.
	Name() string
	// Init runs once before the gateway serves traffic.
	Init(ctx context.Context) error
	// Shutdown runs once after in-flight calls drained; it must release
	// every resource the plugin holds (idle connections, workers).
	Shutdown(ctx context.Context) error
	// PreCall runs before the call is sent upstream.
	PreCall(ctx context.Context, call *Call) (Verdict, error)
	// PostCall runs after the upstream answered (or failed).
	PostCall(ctx context.Context, call *Call, out *Outcome) (Verdict, error)
}

// Deps are the shared services a plugin factory may use.
type Deps struct {
	Logger  *slog.Logger
	Metrics *metrics.Metrics
}

// Factory builds a plugin instance from its config block, which it must
// decode with config.DecodeStrict.
type Factory func(name string, block *yaml.Node, deps Deps) (Plugin, error)

// BlockedError reports that an enforcing plugin refused a call.
type BlockedError struct {
	Plugin string
	Reason string
}

func (e *BlockedError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("blocked by plugin %s", e.Plugin)
	}
	return fmt.Sprintf("blocked by plugin %s: %s", e.Plugin, e.Reason)
}

// FailedError reports a plugin error under the "fail" policy.
type FailedError struct {
	Plugin string
	Hook   string
	Err    error
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("plugin %s failed in %s hook: %v", e.Plugin, e.Hook, e.Err)
}

func (e *FailedError) Unwrap() error { return e.Err }

// Entry is a plugin with its configured policies.
type Entry struct {
	Plugin  Plugin
	Mode    string // config.ModeEnforce or config.ModePermissive
	OnError string // config.OnErrorFail or config.OnErrorIgnore
}

// Chain runs plugins in configuration order: pre hooks first to last, post
// hooks last to first (like nested middleware).
type Chain struct {
	entries []Entry
	metrics *metrics.Metrics
	logger  *slog.Logger
}

// NewChain builds a chain. Disabled plugins must already be left out.
func NewChain(entries []Entry, m *metrics.Metrics, logger *slog.Logger) *Chain {
	return &Chain{entries: entries, metrics: m, logger: logger}
}

// Len returns the number of active plugins.
func (c *Chain) Len() int { return len(c.entries) }

// Init initialises every plugin. If one fails, those already initialised
// are shut down again so nothing leaks.
func (c *Chain) Init(ctx context.Context) error {
	for i, e := range c.entries {
		if err := e.Plugin.Init(ctx); err != nil {
			for j := i - 1; j >= 0; j-- {
				_ = c.entries[j].Plugin.Shutdown(ctx)
			}
			// The failed plugin may hold resources from its constructor.
			_ = e.Plugin.Shutdown(ctx)
			for _, rest := range c.entries[i+1:] {
				_ = rest.Plugin.Shutdown(ctx)
			}
			return fmt.Errorf("plugin %s: init: %w", e.Plugin.Name(), err)
		}
	}
	return nil
}

// Shutdown shuts every plugin down in reverse order and joins the errors.
func (c *Chain) Shutdown(ctx context.Context) error {
	var errs []error
	for i := len(c.entries) - 1; i >= 0; i-- {
		p := c.entries[i].Plugin
		if err := p.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("plugin %s: shutdown: %w", p.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// Pre runs every pre hook. It returns the call to send upstream (possibly
// with replaced arguments), or a *BlockedError / *FailedError.
func (c *Chain) Pre(ctx context.Context, call *Call) (*Call, error) {
	for _, e := range c.entries {
		v, err := e.Plugin.PreCall(ctx, call)
		next, stop := c.apply(ctx, e, "pre", v, err)
		if stop != nil {
			return nil, stop
		}
		if next && v.Action == Modify && v.Arguments != nil {
			cp := *call
			cp.Arguments = v.Arguments
			call = &cp
		}
	}
	return call, nil
}

// Post runs every post hook in reverse order and returns the outcome to
// hand downstream, or a *BlockedError / *FailedError.
func (c *Chain) Post(ctx context.Context, call *Call, out *Outcome) (*Outcome, error) {
	for i := len(c.entries) - 1; i >= 0; i-- {
		e := c.entries[i]
		v, err := e.Plugin.PostCall(ctx, call, out)
		next, stop := c.apply(ctx, e, "post", v, err)
		if stop != nil {
			return nil, stop
		}
		if next && v.Action == Modify && v.Outcome != nil {
			out = v.Outcome
		}
	}
	return out, nil
}

// apply interprets one hook result under the entry's policies. It reports
// whether a Modify should be applied, or the error that stops the call.
func (c *Chain) apply(ctx context.Context, e Entry, hook string, v Verdict, err error) (applyModify bool, stop error) {
	name := e.Plugin.Name()
	permissive := e.Mode == config.ModePermissive
	if err != nil {
		c.count(name, hook, "error")
		c.logger.WarnContext(ctx, "plugin error", "plugin", name, "hook", hook, "err", err, "on_error", e.OnError, "mode", e.Mode)
		if e.OnError == config.OnErrorFail && !permissive {
			return false, &FailedError{Plugin: name, Hook: hook, Err: err}
		}
		return false, nil
	}
	if permissive {
		// Permissive plugins are observed, never obeyed.
		if v.Action == Allow {
			c.count(name, hook, "allow")
		} else {
			c.count(name, hook, "would_"+v.Action.String())
			c.logger.InfoContext(ctx, "plugin verdict not enforced (permissive)", "plugin", name, "hook", hook, "verdict", v.Action.String(), "reason", v.Reason)
		}
		return false, nil
	}
	c.count(name, hook, v.Action.String())
	switch v.Action {
	case Block:
		c.logger.InfoContext(ctx, "plugin blocked call", "plugin", name, "hook", hook, "reason", v.Reason)
		return false, &BlockedError{Plugin: name, Reason: v.Reason}
	case Modify:
		return true, nil
	}
	return false, nil
}

func (c *Chain) count(plugin, hook, verdict string) {
	c.metrics.PluginVerdicts.WithLabelValues(plugin, hook, verdict).Inc()
}
