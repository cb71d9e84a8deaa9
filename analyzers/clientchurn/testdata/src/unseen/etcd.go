package unseen

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Store is a library value whose Lookup dials etcd on every call: an etcd
// client holds its own gRPC connection.
type Store struct{ endpoints []string }

func NewStore(endpoints []string) *Store { return &Store{endpoints: endpoints} }

func (s *Store) Lookup(ctx context.Context, key string) (string, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: s.endpoints}) // want `Store.Lookup creates a new client connection per call and drops it`
	if err != nil {
		return "", err
	}
	return cli.Get(ctx, key)
}

// Resolve closes the client it dials. It runs per call only by its name
// (an operation of a library value), at a rate its users know: a
// handshake per call is theirs to judge, and is not reported (quiet).
func (s *Store) Resolve(ctx context.Context, key string) (string, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: s.endpoints})
	if err != nil {
		return "", err
	}
	defer cli.Close()
	return cli.Get(ctx, key)
}
