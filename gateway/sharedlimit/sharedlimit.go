// Package sharedlimit is a token-bucket rate limiter kept in Redis, so that
// the replicas of one gateway enforce one limit per key between them
// instead of one each.
package sharedlimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/churnlint/churnlint/gateway/auth"
)

// bucket refills and takes one token atomically on the Redis server, with
// the server's clock, so replicas with skewed clocks agree. It returns
// {allowed 0|1, milliseconds until a token}.
var bucket = redis.NewScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(v[1]) or burst
local ts = tonumber(v[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed, wait = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, wait}
`)

// Limiter is a RateLimiter backed by Redis. When Redis fails or is slower
// than the timeout, the decision falls back to a limiter in this process:
// each replica then enforces the limit on its own, which errs neither
// towards refusing everyone nor towards admitting everything.
type Limiter struct {
	client   redis.UniversalClient
	prefix   string
	rate     float64
	burst    int
	timeout  time.Duration
	fallback auth.RateLimiter
	logger   *slog.Logger
	// lastWarn (unix nanos) keeps a Redis outage to one warning a minute.
	lastWarn atomic.Int64
}

// New returns a limiter of rps requests per second with burst per key,
// stored under prefix in client. The caller owns client.
func New(client redis.UniversalClient, prefix string, rps float64, burst int, timeout time.Duration, fallback auth.RateLimiter, logger *slog.Logger) *Limiter {
	return &Limiter{client: client, prefix: prefix + "ratelimit:", rate: rps, burst: burst, timeout: timeout, fallback: fallback, logger: logger}
}

// Allow implements auth.RateLimiter.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	res, err := bucket.Run(ctx, l.client, []string{l.prefix + key}, l.rate, l.burst).Int64Slice()
	if err != nil || len(res) != 2 {
		if now, last := time.Now().UnixNano(), l.lastWarn.Load(); now-last > int64(time.Minute) && l.lastWarn.CompareAndSwap(last, now) {
			l.logger.WarnContext(ctx, "shared rate limit unavailable, limiting in this replica", "err", err)
		}
		return l.fallback.Allow(ctx, key)
	}
	if res[0] == 1 {
		return true, 0
	}
	return false, time.Duration(res[1]) * time.Millisecond
}
