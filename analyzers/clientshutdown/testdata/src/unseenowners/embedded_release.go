package unseenowners

import (
	"context"

	"google.golang.org/grpc"
)

// ShimInstance is embedded in shimTask; its only implementation here
// closes the connection (containerd's shim loader).
type ShimInstance interface {
	Delete(ctx context.Context) error
}

type shimConn struct{ conn *grpc.ClientConn }

func (s *shimConn) Delete(ctx context.Context) error { return s.conn.Close() }

type shimTask struct {
	ShimInstance
}

func (t *shimTask) delete(ctx context.Context) error {
	// the task's own RPC would go here
	return t.ShimInstance.Delete(ctx)
}

// Close is the fallback when delete fails.
func (t *shimTask) Close() error { return t.ShimInstance.Delete(context.Background()) }

func cleanupShim(ctx context.Context, t *shimTask) error {
	if err := t.delete(ctx); err == nil {
		return nil // released inside delete, through ShimInstance.Delete
	}
	return t.Close()
}

// loadShim registers the task or cleans it up: released on every path
// that does not keep it.
func loadShim(ctx context.Context, addr string, keep bool, set map[*shimTask]bool) error {
	c, err := grpc.NewClient(addr)
	if err != nil {
		return err
	}
	t := &shimTask{&shimConn{c}}
	if keep {
		set[t] = true
	} else if err := cleanupShim(ctx, t); err != nil {
		return err
	}
	return nil
}

// dropShim forgets the task on its error path: still reported.
func dropShim(ctx context.Context, addr string, fail bool) error {
	c, err := grpc.NewClient(addr) // want `dropShim releases the client connection it creates on some paths but not at line 62; defer the release`
	if err != nil {
		return err
	}
	t := &shimTask{&shimConn{c}}
	if fail {
		return nil
	}
	return t.Close()
}
