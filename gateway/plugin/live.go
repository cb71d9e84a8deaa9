package plugin

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Live holds the chain in use and lets a configuration reload replace it
// while calls run: a call acquires the current chain for its whole
// duration, and a replaced chain is shut down only after the last call
// that acquired it released it.
type Live struct {
	cur atomic.Pointer[generation]
}

// generation is one chain and the calls using it.
type generation struct {
	chain *Chain

	mu      sync.Mutex
	users   int
	retired bool
	idle    chan struct{} // closed when users drops to 0 after retirement
}

// NewLive starts with chain.
func NewLive(chain *Chain) *Live {
	l := &Live{}
	l.cur.Store(&generation{chain: chain})
	return l
}

// Current is the chain in use now (for Init at startup and for tests).
func (l *Live) Current() *Chain { return l.cur.Load().chain }

// Acquire returns the current chain and the function that releases it;
// call release when the call is done with both hooks.
func (l *Live) Acquire() (chain *Chain, release func()) {
	for {
		g := l.cur.Load()
		g.mu.Lock()
		if !g.retired {
			g.users++
			g.mu.Unlock()
			return g.chain, g.release
		}
		// Swapped between Load and Lock: the new one is stored already.
		g.mu.Unlock()
	}
}

func (g *generation) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.users--
	if g.users == 0 && g.idle != nil {
		close(g.idle)
		g.idle = nil
	}
}

// Swap installs next (already initialised) and returns the replaced chain's
// retirement: it waits, up to ctx, for the calls still using the old chain,
// then shuts its plugins down. The caller must run it.
func (l *Live) Swap(next *Chain) (retire func(ctx context.Context) error) {
	old := l.cur.Swap(&generation{chain: next})
	return old.retire
}

// retire waits for the generation's users, then shuts its chain down.
// Plugins are shut down even when ctx ends first: a reload must not leak
// them, and Shutdown itself is bounded by ctx.
func (g *generation) retire(ctx context.Context) error {
	g.mu.Lock()
	g.retired = true
	var idle chan struct{}
	if g.users > 0 {
		g.idle = make(chan struct{})
		idle = g.idle
	}
	users := g.users
	g.mu.Unlock()
	var waitErr error
	if idle != nil {
		select {
		case <-idle:
		case <-ctx.Done():
			waitErr = fmt.Errorf("replaced plugins shut down with %d calls still using them: %w", users, ctx.Err())
		}
	}
	if err := g.chain.Shutdown(ctx); err != nil {
		return err
	}
	return waitErr
}

// Shutdown shuts the current chain down (gateway shutdown, after calls
// drained).
func (l *Live) Shutdown(ctx context.Context) error { return l.cur.Load().chain.Shutdown(ctx) }
