// Package healthclient is gatus's client package in the shape of its gRPC
// endpoint check: a health check dials, asks and closes on every call.
package healthclient

import (
	"context"

	"google.golang.org/grpc"
)

// PerformGRPCHealthCheck opens a connection and checks it: the fresh
// connection is what it measures.
func PerformGRPCHealthCheck(addr string) bool {
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	return conn.Invoke(context.Background(), "/grpc.health.v1.Health/Check") == nil
}

// QueryStatus dials, asks and closes too, but it is no check: what it
// wants is the answer, and a shared conn gives it without a handshake.
func QueryStatus(addr string) error {
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Invoke(context.Background(), "/status.Status/Get")
}
