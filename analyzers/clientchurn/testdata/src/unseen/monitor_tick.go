package unseen

import (
	"time"

	"unseen/pkg/healthclient"
)

// monitorEndpoint checks a grpc:// endpoint on every tick through another
// package's health check, which dials and closes per check (gatus's
// watchdog): probes, not churn. Not reported.
func monitorEndpoint(addr string, every time.Duration) {
	for range time.Tick(every) {
		healthclient.PerformGRPCHealthCheck(addr)
	}
}

// pollStatus asks another package's QueryStatus on every tick, which dials
// and closes per call: a handshake per tick for an answer. Reported.
func pollStatus(addr string, every time.Duration) {
	for range time.Tick(every) {
		_ = healthclient.QueryStatus(addr) // want `pollStatus creates a new client connection per call and closes it`
	}
}
