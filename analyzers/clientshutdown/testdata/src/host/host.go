// Package host defines the lifecycle its plugins implement.
package host

import "context"

type Plugin interface {
	Init(ctx context.Context) error
	Shutdown(ctx context.Context) error
}
