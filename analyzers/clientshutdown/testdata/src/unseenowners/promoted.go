// Package unseenowners holds owner shapes from real code churnlint was not
// tuned on: the bugs it missed (want) and the false positives (no want).
package unseenowners

import (
	"context"
	"net/http"

	"host"
)

// Base gives plugins a Shutdown that does nothing, so that a plugin
// without resources need not write one.
type Base struct{ Name string }

func (Base) Init(ctx context.Context) error     { return nil }
func (Base) Shutdown(ctx context.Context) error { return nil }

var _ host.Plugin = (*Moderation)(nil)

// Moderation opens a client in its constructor and relies on the promoted
// Shutdown, which releases nothing: the bug churnlint was founded on.
type Moderation struct { // want `Moderation's Shutdown, promoted from Base, does not release Moderation.client; give Moderation its own Shutdown`
	Base
	client *http.Client
}

func NewModeration() *Moderation {
	return &Moderation{Base: Base{Name: "moderation"}, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
}

func (m *Moderation) Check(ctx context.Context, text string) error {
	_, err := m.client.Get("http://moderator/?q=" + text)
	return err
}

// Audit overrides the promoted Shutdown and releases its client there.
type Audit struct {
	Base
	client *http.Client
}

func NewAudit() *Audit {
	return &Audit{client: &http.Client{Transport: &http.Transport{}}}
}

func (a *Audit) Shutdown(ctx context.Context) error {
	a.client.CloseIdleConnections()
	return a.Base.Shutdown(ctx)
}

// ReleasingBase's promoted Close does release the pool the base holds.
type ReleasingBase struct{ hc *http.Client }

func (b *ReleasingBase) Close() error { b.hc.CloseIdleConnections(); return nil }

type Exporter struct{ *ReleasingBase }

func NewExporter() *Exporter {
	return &Exporter{&ReleasingBase{hc: &http.Client{Transport: &http.Transport{}}}}
}
