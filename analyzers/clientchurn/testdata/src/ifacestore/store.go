// Package ifacestore declares the interfaces a server calls and plugins
// implement (api-testing's testing.StoreWriterFactory shape).
package ifacestore

import (
	"context"

	"google.golang.org/grpc"
)

// Writer is what a factory hands back for one store.
type Writer interface {
	List() ([]string, error)
}

// WriterFactory makes a Writer for a store address.
type WriterFactory interface {
	NewWriter(addr string) (Writer, error)
}

// Session is a Writer its user must close.
type Session interface {
	Writer
	Close() error
}

// SessionFactory makes sessions.
type SessionFactory interface {
	Open(addr string) (Session, error)
}

// StatsServer is a generated gRPC service interface; RegisterStatsServer
// is called in main, not in the package implementing it.
type StatsServer interface {
	Stats(ctx context.Context, name string) (int, error)
}

func RegisterStatsServer(s *grpc.Server, srv StatsServer) {}
