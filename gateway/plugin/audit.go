package plugin

import (
	"context"
	"time"
)

// Record is the final account of one call the gateway handled, whatever
// ended it.
type Record struct {
	// Outcome is ok, tool_error (the tool reported an error), error (the
	// upstream failed or was unavailable), blocked (a plugin refused it),
	// plugin_error (a plugin failed under on_error: fail), denied (the
	// caller's allowlist) or draining (the gateway was shutting down).
	Outcome string
	// Err is what ended the call, nil for ok and tool_error.
	Err      error
	Duration time.Duration
}

// Auditor is implemented by plugins that must account for every call,
// including the ones a pre hook stopped (whose post hooks never run).
type Auditor interface {
	Audit(ctx context.Context, call *Call, rec Record)
}

// Audit hands the record of a finished call to every Auditor in the
// chain, in any mode: auditing observes, it cannot change the call.
func (c *Chain) Audit(ctx context.Context, call *Call, rec Record) {
	for _, e := range c.entries {
		if a, ok := e.Plugin.(Auditor); ok {
			a.Audit(ctx, call, rec)
		}
	}
}
