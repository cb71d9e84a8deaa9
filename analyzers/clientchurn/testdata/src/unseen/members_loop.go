package unseen

import (
	"context"

	"google.golang.org/grpc"
)

// A client per cluster member, each closed when the function returns
// (etcd's robustness verifyClusterHealth: defer c.Close() in a range
// loop): every member needs its own connection; quiet.
func verifyMembers(ctx context.Context, members []string) error {
	for _, m := range members {
		conn, err := grpc.NewClient(m)
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := conn.Invoke(ctx, "/Status"); err != nil {
			return err
		}
	}
	return nil
}

// The same loop dropping each connection still strands them: reported.
func probeMembers(ctx context.Context, members []string) error {
	for _, m := range members {
		conn, err := grpc.NewClient(m) // want `probeMembers creates a new client connection per call and drops it`
		if err != nil {
			return err
		}
		if err := conn.Invoke(ctx, "/Status"); err != nil {
			return err
		}
	}
	return nil
}

// The same over an index (etcd's robustness verifyClusterHealth): quiet.
func verifyMembersByIndex(ctx context.Context, members []string) error {
	for i := 0; i < len(members); i++ {
		conn, err := grpc.NewClient(members[i])
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := conn.Invoke(ctx, "/Status"); err != nil {
			return err
		}
	}
	return nil
}
