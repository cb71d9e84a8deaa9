package unseenowners

import (
	"context"

	"google.golang.org/grpc"
)

// Start(ctx, id) and Shutdown(ctx, id) start and stop one sandbox the
// controller manages, not the controller (containerd's podsandbox
// Controller, built once by its plugin's init): neither is the owner's
// release or lifecycle. Quiet.
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

func (c *sandboxController) Start(ctx context.Context, sandboxID string) error {
	c.sandboxes[sandboxID] = true
	return nil
}

func (c *sandboxController) Shutdown(ctx context.Context, sandboxID string) error {
	delete(c.sandboxes, sandboxID)
	return nil
}
