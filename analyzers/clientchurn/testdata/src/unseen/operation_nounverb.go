package unseen

import (
	"context"

	"google.golang.org/grpc"
)

// ProcessClient is longhorn-instance-manager's ProcessManagerClient: a
// library value whose methods are named noun first, each dialling the
// manager for one call. Its users (longhorn-manager, another module) call
// them again and again.
type ProcessClient struct {
	Address string
}

func NewProcessClient(address string) *ProcessClient { return &ProcessClient{Address: address} }

// VersionGet never closes its connection (before longhorn's fix).
func (c *ProcessClient) VersionGet() (string, error) {
	conn, err := grpc.Dial(c.Address) // want `ProcessClient.VersionGet creates a new client connection per call and drops it.*an operation of a reusable value`
	if err != nil {
		return "", err
	}
	return "v1", conn.Invoke(context.Background(), "/VersionGet")
}

// ProcessGet closes it, as the fix and the sibling methods do: an
// operation runs per call by its name alone, at a rate only its users
// know, so a handshake per call is not reported (quiet).
func (c *ProcessClient) ProcessGet(name string) error {
	conn, err := grpc.Dial(c.Address)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Invoke(context.Background(), "/ProcessGet/"+name)
}

// ProcessesGet closes each connection, but dials one per process in a
// loop: reported, as any loop is.
func (c *ProcessClient) ProcessesGet(names []string) error {
	for _, name := range names {
		conn, err := grpc.Dial(c.Address) // want `ProcessClient.ProcessesGet creates a new client connection per call and closes it`
		if err != nil {
			return err
		}
		err = conn.Invoke(context.Background(), "/ProcessWatch/"+name)
		conn.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Getaway is no operation: its first word is Getaway, not Get (quiet).
func (c *ProcessClient) Getaway() error {
	conn, err := grpc.Dial(c.Address)
	if err != nil {
		return err
	}
	return conn.Invoke(context.Background(), "/Getaway")
}
