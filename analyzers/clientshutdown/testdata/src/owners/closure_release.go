package owners

import (
	"context"

	"google.golang.org/grpc"
)

// InternalClient keeps a function literal that closes its connection, and
// Close calls it (terraform's rpcapi.Client): released.
type InternalClient struct {
	conn  *grpc.ClientConn
	close func(ctx context.Context) error
}

func NewInternalClient(ctx context.Context) (*InternalClient, error) {
	conn, err := grpc.DialContext(ctx, "testfake")
	if err != nil {
		return nil, err
	}
	var client *InternalClient
	client = &InternalClient{
		conn: conn,
		close: func(ctx context.Context) error {
			conn.Close()
			client.conn = nil
			client.close = func(context.Context) error { return nil }
			return nil
		},
	}
	return client, nil
}

func (c *InternalClient) Close(ctx context.Context) error { return c.close(ctx) }

// LeakyClient's stored literal only logs: Close releases nothing.
type LeakyClient struct {
	conn  *grpc.ClientConn
	close func() error
}

func NewLeakyClient() (*LeakyClient, error) {
	conn, err := grpc.Dial("127.0.0.1:1")
	if err != nil {
		return nil, err
	}
	return &LeakyClient{conn: conn, close: func() error { _ = conn; return nil }}, nil
}

func (c *LeakyClient) Close() error { // want `LeakyClient.Close does not release LeakyClient.conn; call conn.Close\(\) in it`
	return c.close()
}
