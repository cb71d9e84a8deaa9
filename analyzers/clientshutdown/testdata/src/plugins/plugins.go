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

func (a *Audit) Close() error { // want `Audit releases Audit.client only in Close, but its host shuts it down through Plugin.Shutdown, which never calls Close: release the HTTP transport in Shutdown`
	a.client.CloseIdleConnections()
	return nil
}

// Metrics has Init but no Shutdown: the fix adds the host's Shutdown.
type Metrics struct { // want `Metrics keeps an HTTP transport in Metrics.transport \(&http.Transport\{\}, created in Metrics.Init\) but has no Shutdown, Close or Stop method to release it.*add Shutdown\(ctx context.Context\) error \(as Plugin declares\)`
	transport *http.Transport
}

func (m *Metrics) Init(ctx context.Context) error {
	m.transport = &http.Transport{}
	return nil
}
