// Package plugins has owners whose host is in another package.
package plugins

import (
	"context"
	"net/http"

	"host"
)

var _ host.Plugin = (*Audit)(nil)

// Audit implements the host's Shutdown but releases only in Close, which
// the host never calls.
type Audit struct{ client *http.Client }

func (a *Audit) Init(ctx context.Context) error {
	a.client = &http.Client{Transport: &http.Transport{}}
	return nil
}

func (a *Audit) Shutdown(ctx context.Context) error { return nil }

func (a *Audit) Close() error { // want `Audit releases Audit.client only in Close, which its host never calls; release it in Shutdown \| .* \| the host shuts Audit down through Plugin.Shutdown, which never calls Close`
	a.client.CloseIdleConnections()
	return nil
}

// Metrics has Init but no Shutdown: the fix adds the host's Shutdown.
type Metrics struct { // want `Metrics keeps an HTTP transport in Metrics.transport but has no Shutdown method; add one that releases it \| the pool in transport is created here \(&http.Transport\{\}, created in Metrics.Init\).*add Shutdown\(ctx context.Context\) error \(as Plugin declares\)`
	transport *http.Transport
}

func (m *Metrics) Init(ctx context.Context) error {
	m.transport = &http.Transport{}
	return nil
}
