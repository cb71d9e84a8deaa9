package unseen

import (
	"sync"

	"google.golang.org/grpc"
)

// Node is a cluster member as callers hand it over: each request builds a
// new value for the same member.
type Node interface {
	Indicator() string
}

type connFactory struct {
	mu      sync.Mutex
	connMap map[Node]*grpc.ClientConn
	byAddr  map[string]*grpc.ClientConn
}

// GetClientConn caches under the Node value itself but dials its
// Indicator (lindb before its fix): a new value for the same node misses
// the map, dials again, and is kept for ever.
func (f *connFactory) GetClientConn(target Node) (*grpc.ClientConn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if conn, ok := f.connMap[target]; ok {
		return conn, nil
	}
	conn, err := grpc.Dial(target.Indicator()) // want `connFactory.GetClientConn caches the new client connection by the identity of target; key the map by target.Indicator\(\)`
	if err != nil {
		return nil, err
	}
	f.connMap[target] = conn
	return conn, nil
}

// GetConn keys by the address it dials (lindb after its fix).
func (f *connFactory) GetConn(target Node) (*grpc.ClientConn, error) {
	addr := target.Indicator()
	f.mu.Lock()
	defer f.mu.Unlock()
	if conn, ok := f.byAddr[addr]; ok {
		return conn, nil
	}
	conn, err := grpc.Dial(addr)
	if err != nil {
		return nil, err
	}
	f.byAddr[addr] = conn
	return conn, nil
}
