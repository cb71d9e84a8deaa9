package gateway

import (
	"context"
	"sync"
	"sync/atomic"
)

// inflight counts work in progress (requests, background tasks) so that
// shutdown can wait for it to finish. Every request adds and is done:
// that is an atomic counter, and only the one that brings it to zero
// while someone waits takes the lock.
type inflight struct {
	n    atomic.Int64
	mu   sync.Mutex
	zero chan struct{} // made by wait, closed when n reaches zero
}

func (t *inflight) add() { t.n.Add(1) }

func (t *inflight) done() {
	if t.n.Add(-1) != 0 {
		return
	}
	t.mu.Lock()
	if t.zero != nil && t.n.Load() == 0 {
		close(t.zero)
		t.zero = nil
	}
	t.mu.Unlock()
}

// wait returns when nothing is in progress, or when ctx ends.
func (t *inflight) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n.Load() == 0 {
		t.mu.Unlock()
		return nil
	}
	if t.zero == nil {
		t.zero = make(chan struct{})
	}
	ch := t.zero
	t.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
