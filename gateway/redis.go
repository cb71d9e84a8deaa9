package gateway

import (
	"github.com/redis/go-redis/v9"

	"github.com/churnlint/churnlint/gateway/auth"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/sharedlimit"
)

// newRedis returns the one Redis client of the gateway (nil when redis is
// not configured); Shutdown closes it.
func newRedis(c config.RedisConfig) *redis.Client {
	if !c.Enabled() {
		return nil
	}
	return redis.NewClient(&redis.Options{
		Addr: c.Address, Username: c.Username, Password: c.Password, DB: c.DB,
		DialTimeout: c.Timeout * 4, ReadTimeout: c.Timeout, WriteTimeout: c.Timeout,
	})
}

// authOptions shares the per-principal rate limit through Redis when both
// are configured.
func (g *Gateway) authOptions(rl config.RateLimitConfig) []auth.Option {
	if g.redis == nil || rl.RequestsPerSecond <= 0 {
		return nil
	}
	local := auth.Local(auth.NewLimiter(rl.RequestsPerSecond, rl.Burst, 0))
	return []auth.Option{auth.WithRateLimiter(sharedlimit.New(g.redis, g.cfg.Redis.KeyPrefix, rl.RequestsPerSecond, rl.Burst, g.cfg.Redis.Timeout, local, g.logger))}
}
