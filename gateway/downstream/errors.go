package downstream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"

	"github.com/churnlint/churnlint/gateway/plugin"
	"github.com/churnlint/churnlint/gateway/upstream"
)

// clientMessage is what the client is told about err, a failure of the
// plugin chain or of the upstream call for name on up. Failures that carry
// internal detail (plugin and transport errors name internal hosts and
// ports) get a generic message with a request id; the log has the detail
// under the same id. A plugin's block reason and the upstream's own answer
// are meant for the client and pass unchanged.
func (f *Federation) clientMessage(ctx context.Context, up, name string, err error, timeout time.Duration) string {
	var (
		blocked *plugin.BlockedError
		failed  *plugin.FailedError
		terr    *transport.Error
		uerr    *url.Error
		nerr    net.Error
	)
	switch {
	case aborted(ctx) || errors.Is(err, ErrShuttingDown):
		return ErrShuttingDown.Error()
	case errors.As(err, &blocked):
		return blocked.Error()
	case errors.As(err, &failed):
		id := requestID()
		f.opts.Logger.WarnContext(ctx, "plugin failed a call", "request_id", id, "plugin", failed.Plugin, "hook", failed.Hook, "upstream", up, "name", name, "err", failed.Err)
		return fmt.Sprintf("plugin %s failed (request id %s)", failed.Plugin, id)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("upstream %s timed out (limit %s)", up, timeout)
	case errors.Is(err, upstream.ErrUnavailable):
		return fmt.Sprintf("upstream %s is unavailable", up)
	case errors.As(err, &terr), errors.As(err, &uerr), errors.As(err, &nerr):
		id := requestID()
		f.opts.Logger.WarnContext(ctx, "upstream request failed", "request_id", id, "upstream", up, "name", name, "err", err)
		return fmt.Sprintf("upstream %s request failed (request id %s)", up, id)
	}
	return fmt.Sprintf("upstream %s: %v", up, err)
}

// requestID names one failure in the client's message and in the log.
func requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
