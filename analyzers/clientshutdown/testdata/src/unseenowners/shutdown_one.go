package unseenowners

import (
	"context"

	"google.golang.org/grpc"
)

// Shutdown(ctx, id) shuts down one sandbox the controller manages, not
// the controller (containerd's podsandbox Controller, built once by its
// plugin's init): it is not the owner's release, and the controller has
// no lifecycle of its own. Quiet.
type sandboxController struct {
	conn      *grpc.ClientConn
	sandboxes map[string]bool
}

func newSandboxController(addr string) (*sandboxController, error) {
	cc, err := grpc.NewClient(addr)
	if err != nil {
		return nil, err
	}
	return &sandboxController{conn: cc, sandboxes: map[string]bool{}}, nil
}

func (c *sandboxController) Shutdown(ctx context.Context, sandboxID string) error {
	delete(c.sandboxes, sandboxID)
	return nil
}
