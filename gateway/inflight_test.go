package gateway

import (
	"context"
	"sync"
	"testing"
	"time"
)

// wait returns once every add has its done, however they interleave with
// it, and not before.
func TestInflightWaitsForEveryDone(t *testing.T) {
	for range 50 {
		var tr inflight
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			tr.add()
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-release
				tr.done()
			}()
		}
		waited := make(chan error, 1)
		go func() { waited <- tr.wait(context.Background()) }()
		select {
		case err := <-waited:
			t.Fatalf("wait returned (%v) with 8 in progress", err)
		case <-time.After(time.Millisecond):
		}
		close(release)
		wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := <-waited; err != nil {
			t.Fatalf("wait: %v", err)
		}
		if err := tr.wait(ctx); err != nil {
			t.Fatalf("wait with nothing in progress: %v", err)
		}
		cancel()
	}
}
