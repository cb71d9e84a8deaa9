package downstream

import (
	"context"
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
