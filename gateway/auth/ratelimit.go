package auth

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter decides whether key may make one more request now, and if
// not, how long until it may.
type RateLimiter interface {
	Allow(ctx context.Context, key string) (bool, time.Duration)
}

// Local adapts a Limiter to RateLimiter.
func Local(l *Limiter) RateLimiter { return localLimiter{l} }

type localLimiter struct{ l *Limiter }

func (l localLimiter) Allow(_ context.Context, key string) (bool, time.Duration) {
	return l.l.Allow(key)
}

// Limiter is a token bucket per principal name, with a bounded number of
// buckets, in this process.
type Limiter struct {
	limit      rate.Limit
	burst      int
	maxBuckets int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// NewLimiter allows rps requests per second with the given burst per key.
// maxBuckets <= 0 selects a default of 10000.
func NewLimiter(rps float64, burst, maxBuckets int) *Limiter {
	if maxBuckets <= 0 {
		maxBuckets = 10000
	}
	return &Limiter{limit: rate.Limit(rps), burst: burst, maxBuckets: maxBuckets, buckets: map[string]*rate.Limiter{}}
}

// Allow takes one token from key's bucket. When empty it reports false and
// how long until a token is available.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := time.Now()
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxBuckets {
			l.evictFullLocked(now)
		}
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()

	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// evictFullLocked drops buckets that have refilled completely: a full
// bucket behaves exactly like a new one, so forgetting it changes nothing.
// If every bucket is busy the map is cleared, which errs on the side of
// admitting traffic rather than growing without bound.
func (l *Limiter) evictFullLocked(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.maxBuckets {
		clear(l.buckets)
	}
}

// Len returns the number of tracked buckets.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// Exhausted reports, without taking a token, whether key's bucket is
// empty now.
func (l *Limiter) Exhausted(key string) bool {
	l.mu.Lock()
	b, ok := l.buckets[key]
	l.mu.Unlock()
	return ok && b.Tokens() < 1
}

// Wait returns how long until key's bucket holds a token again.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	b, ok := l.buckets[key]
	l.mu.Unlock()
	if !ok {
		return 0
	}
	missing := 1 - b.Tokens()
	if missing <= 0 || l.limit <= 0 {
		return 0
	}
	return time.Duration(missing / float64(l.limit) * float64(time.Second))
}
