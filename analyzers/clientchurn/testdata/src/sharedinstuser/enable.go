// Package sharedinstuser is a CLI command in the shape of mcp-gateway's
// "server enable": a loop over its arguments, once per process, reaching
// the shared client's per-call pool. The pool is reported where it is made
// (sharedinst), not again here.
package sharedinstuser

import (
	"context"

	"sharedinst"
)

func Enable(ctx context.Context, names []string) error {
	for _, name := range names {
		if !sharedinst.IsRunning(ctx) {
			return nil
		}
		_ = sharedinst.ClientBackend.Get(ctx, "/enable/"+name)
		_ = sharedinst.Shared.Get(ctx, "/enable/"+name)
	}
	return nil
}
