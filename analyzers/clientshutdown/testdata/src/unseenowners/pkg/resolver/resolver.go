// Package resolver is an application's own package under pkg/ (keda's
// scaling resolver) that builds its secret-manager handler itself, once per
// trigger resolution: each handler dials a connection nothing closes.
package resolver

import (
	"context"

	"google.golang.org/grpc"
)

type SecretHandler struct { // want `SecretHandler keeps a client connection`
	client *grpc.ClientConn
}

func NewSecretHandler() *SecretHandler { return &SecretHandler{} }

func (h *SecretHandler) Initialize(ctx context.Context, addr string) error {
	conn, err := grpc.Dial(addr)
	if err != nil {
		return err
	}
	h.client = conn
	return nil
}

func (h *SecretHandler) Read(ctx context.Context, name string) error {
	return h.client.Invoke(ctx, "/secretmanager/Access/"+name)
}

// ResolveAuth runs for every trigger it resolves.
func ResolveAuth(ctx context.Context, addr string, names []string) error {
	h := NewSecretHandler()
	if err := h.Initialize(ctx, addr); err != nil {
		return err
	}
	for _, n := range names {
		if err := h.Read(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
