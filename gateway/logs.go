package gateway

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// mcp-go logs one INFO line per expired downstream session ("Sweeping
// expired session"): thousands of lines when thousands of idle sessions
// expire together. sweepLog demotes those lines to DEBUG and logs one INFO
// summary per sweep.
const mcpSweepMessage = "Sweeping expired session"

// sweepWindow gathers the lines of one sweep (mcp-go sweeps every session
// in one pass) into one summary.
const sweepWindow = 200 * time.Millisecond

type sweepCounter struct {
	logger *slog.Logger

	mu    sync.Mutex
	n     int
	timer *time.Timer
}

func (c *sweepCounter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.timer == nil {
		c.timer = time.AfterFunc(sweepWindow, c.flush)
	}
}

// flush logs the summary of what was counted, if anything.
func (c *sweepCounter) flush() {
	c.mu.Lock()
	n := c.n
	c.n = 0
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.mu.Unlock()
	if n > 0 {
		c.logger.Info("expired downstream sessions swept", "sessions", n)
	}
}

// sweepLog wraps the handler given to mcp-go's streamable-HTTP servers.
type sweepLog struct {
	slog.Handler
	counter *sweepCounter
}

func (h sweepLog) Enabled(ctx context.Context, level slog.Level) bool {
	// Sweep lines must be seen to be counted, whatever the level.
	return level == slog.LevelInfo || h.Handler.Enabled(ctx, level)
}

func (h sweepLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message != mcpSweepMessage || r.Level != slog.LevelInfo {
		if !h.Handler.Enabled(ctx, r.Level) {
			return nil
		}
		return h.Handler.Handle(ctx, r)
	}
	h.counter.add()
	if !h.Handler.Enabled(ctx, slog.LevelDebug) {
		return nil
	}
	demoted := slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool { demoted.AddAttrs(a); return true })
	return h.Handler.Handle(ctx, demoted)
}

func (h sweepLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return sweepLog{Handler: h.Handler.WithAttrs(attrs), counter: h.counter}
}

func (h sweepLog) WithGroup(name string) slog.Handler {
	return sweepLog{Handler: h.Handler.WithGroup(name), counter: h.counter}
}
