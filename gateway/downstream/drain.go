package downstream

import (
	"context"
	"errors"
	"sync"
)

// tracker counts in-flight proxied operations and, once draining, refuses
// new ones and signals when the count reaches zero.
type tracker struct {
	mu       sync.Mutex
	n        int
	draining bool
	zero     chan struct{}
}

func (t *tracker) enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.draining {
		return false
	}
	t.n++
	return true
}

func (t *tracker) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.draining && t.n == 0 && t.zero != nil {
		close(t.zero)
		t.zero = nil
	}
}

// drained returns a channel closed once no operation is in flight, and
// switches the tracker to draining.
func (t *tracker) drained() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.draining = true
	ch := make(chan struct{})
	if t.n == 0 {
		close(ch)
		return ch
	}
	if t.zero == nil {
		t.zero = make(chan struct{})
	}
	return t.zero
}

// InFlight returns the number of proxied operations running now.
func (f *Federation) InFlight() int {
	f.flight.mu.Lock()
	defer f.flight.mu.Unlock()
	return f.flight.n
}

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
	stop := context.AfterFunc(f.abortCtx, func() { cancel(ErrShuttingDown) })
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
func (f *Federation) Abort() { f.abortNow() }
