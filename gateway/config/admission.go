package config

import (
	"fmt"
	"time"
)

// AdmissionConfig bounds the requests the gateway works on at once. A
// request beyond the bound waits at most QueueTimeout for a slot (and only
// if fewer than MaxQueue already wait); otherwise it is answered at once
// with HTTP 503, Retry-After and a JSON-RPC error, instead of joining a
// queue that would grow without bound under overload. Notification
// streams (GET, subscriptions/listen) are not counted.
type AdmissionConfig struct {
	// MaxInFlight bounds requests in flight in the gateway (after
	// authentication). Default: the sum of the upstreams' max_in_flight
	// plus 64 for what the gateway answers itself (lists, pings).
	MaxInFlight int `yaml:"max_in_flight"`
	// MaxQueue bounds requests waiting for a slot (gateway and each
	// upstream). Default: a quarter of the gateway's max_in_flight.
	MaxQueue int `yaml:"max_queue"`
	// QueueTimeout bounds how long a request waits for a slot. Default
	// 20ms: long enough to ride out a burst, short enough that an
	// admitted request's latency stays near the unloaded one.
	QueueTimeout time.Duration `yaml:"queue_timeout"`
	// RetryAfter is the Retry-After of a refusal, rounded up to seconds.
	RetryAfter time.Duration `yaml:"retry_after"`
	// MaxSchedLatency lowers the gateway's bound below MaxInFlight while
	// the process is short of CPU: when the Go runtime's p90 scheduling
	// latency (the time a runnable goroutine waits for a CPU) exceeds
	// it, fewer requests are admitted, so that a refusal, and an admitted
	// call, does not wait behind work the process cannot run. Default
	// 10ms; negative: off (the bound stays MaxInFlight).
	MaxSchedLatency time.Duration `yaml:"max_sched_latency"`
}

// UpstreamMaxInFlight is the default of upstreams[].max_in_flight: as many
// calls as the pool keeps connections to one host, since a call beyond
// those waits for a connection anyway (uncapped pool: twice its idle
// connections).
func (p PoolConfig) UpstreamMaxInFlight() int {
	if p.MaxConnsPerHost > 0 {
		return p.MaxConnsPerHost
	}
	return 2 * p.MaxIdleConnsPerHost
}

func (c *Config) applyAdmissionDefaults() {
	sum := 0
	for i := range c.Upstreams {
		u := &c.Upstreams[i]
		if u.MaxInFlight == 0 {
			u.MaxInFlight = c.Pool.UpstreamMaxInFlight()
		}
		sum += u.MaxInFlight
	}
	a := &c.Admission
	if a.MaxInFlight == 0 {
		a.MaxInFlight = sum + 64
	}
	if a.MaxQueue == 0 {
		a.MaxQueue = max(1, a.MaxInFlight/4)
	}
	if a.QueueTimeout == 0 {
		a.QueueTimeout = 20 * time.Millisecond
	}
	if a.RetryAfter == 0 {
		a.RetryAfter = time.Second
	}
}

func (c *Config) validateAdmission(v *validator) {
	a := c.Admission
	if a.MaxInFlight < 1 {
		v.add("admission.max_in_flight", "must be at least 1")
	}
	if a.MaxQueue < 0 {
		v.add("admission.max_queue", "must not be negative (0: the default)")
	}
	if a.QueueTimeout < 0 {
		v.add("admission.queue_timeout", "must not be negative")
	}
	if a.RetryAfter < 0 {
		v.add("admission.retry_after", "must not be negative")
	}
	for i, u := range c.Upstreams {
		if u.MaxInFlight < 1 {
			v.add(fmt.Sprintf("upstreams[%d].max_in_flight", i), "must be at least 1")
		}
	}
}
