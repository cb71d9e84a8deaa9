// Package backoff computes capped exponential retry delays with jitter.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Policy is an exponential backoff: Initial, doubled per attempt, capped at
// Max, with "equal jitter" (half fixed, half random) so retries from many
// callers spread out without ever collapsing to zero delay.
type Policy struct {
	Initial time.Duration
	Max     time.Duration
}

// Delay returns the wait before retry number attempt (0-based).
func (p Policy) Delay(attempt int) time.Duration {
	d := p.Initial
	for i := 0; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	if d > p.Max {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
