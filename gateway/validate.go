package gateway

import (
	"context"
	"io"
	"log/slog"

	"github.com/churnlint/churnlint/gateway/config"
)

// Validate reports every error New would return for cfg: it builds the
// whole gateway (authenticator and key files, pools and TLS files, plugins
// from their config blocks, upstream sessions, virtual servers) and releases
// it again, without connecting upstreams or listening. `gateway -validate`
// uses it, so a config that passes cannot fail at startup for a reason the
// file decides.
func Validate(cfg *config.Config, opts Options) error {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	g, err := New(cfg, opts)
	if err != nil {
		return err
	}
	return g.Shutdown(context.Background())
}
