package backoff

import (
	"testing"
	"time"
)

func TestDelayGrowsWithJitterAndCap(t *testing.T) {
	p := Policy{Initial: 100 * time.Millisecond, Max: time.Second}
	for attempt, base := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		base *= time.Millisecond
		for range 50 {
			d := p.Delay(attempt)
			if d < base/2 || d > base {
				t.Fatalf("attempt %d: delay %s outside [%s, %s]", attempt, d, base/2, base)
			}
		}
	}
	if d := p.Delay(1000); d > time.Second {
		t.Fatalf("huge attempt not capped: %s", d)
	}
}
