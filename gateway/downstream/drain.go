package downstream

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// tracker counts in-flight proxied operations and, once draining, refuses
// new ones and signals when the count reaches zero. Every call enters and
// leaves it: a call takes its lock shared (RLock, no queue behind other
// calls), draining takes it exclusively.
type tracker struct {
	mu       sync.RWMutex
	n        atomic.Int64
	draining atomic.Bool // set under mu held exclusively
	zero     chan struct{}
}

func (t *tracker) enter() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.draining.Load() {
		return false
	}
	t.n.Add(1)
	return true
}

func (t *tracker) leave() {
	if t.n.Add(-1) != 0 || !t.draining.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n.Load() == 0 && t.zero != nil {
		close(t.zero)
		t.zero = nil
	}
}

// drained returns a channel closed once no operation is in flight, and
// switches the tracker to draining.
func (t *tracker) drained() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.draining.Store(true)
	ch := make(chan struct{})
	if t.n.Load() == 0 {
		close(ch)
		return ch
	}
	if t.zero == nil {
		t.zero = make(chan struct{})
	}
	return t.zero
}

// InFlight returns the number of proxied operations running now.
func (f *Federation) InFlight() int { return int(f.flight.n.Load()) }

// Drain stops accepting new calls and waits until in-flight calls finish
// or ctx ends.
func (f *Federation) Drain(ctx context.Context) error {
	select {
	case <-f.flight.drained():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// callContext derives the context of one proxied call: it ends when the
// request's does, or with cause ErrShuttingDown when Abort is called.
func (f *Federation) callContext(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	shard := f.abortShards[f.abortNext.Add(1)%uint32(len(f.abortShards))]
	stop := context.AfterFunc(shard, func() { cancel(ErrShuttingDown) })
	return ctx, func() {
		stop()
		cancel(nil)
	}
}

// aborted reports whether the call's context was ended by Abort.
func aborted(ctx context.Context) bool { return errors.Is(context.Cause(ctx), ErrShuttingDown) }

// Abort ends every call still in flight: each is answered at once with a
// "gateway is shutting down" JSON-RPC error. Shutdown calls it when the
// drain phase of its deadline ran out, so the replies can still be written
// before the connections close.
func (f *Federation) Abort() {
	f.abortNow()
	for _, stop := range f.shardStops {
		stop()
	}
}
