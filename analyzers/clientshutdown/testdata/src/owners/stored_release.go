package owners

import (
	"net/http"

	"google.golang.org/grpc"
)

// RPCClient keeps its connection's Close as a method value and calls it in
// Close (terraform's rpcapi shape): released.
type RPCClient struct {
	conn  *grpc.ClientConn
	close func() error
}

func NewRPCClient() (*RPCClient, error) {
	conn, err := grpc.Dial("127.0.0.1:1")
	if err != nil {
		return nil, err
	}
	return &RPCClient{conn: conn, close: conn.Close}, nil
}

func (c *RPCClient) Close() error { return c.close() }

// finalizer spelled as the transport's CloseIdleConnections.
type Dialer struct {
	t        *http.Transport
	finalize func()
}

func NewDialer() *Dialer {
	t := &http.Transport{}
	return &Dialer{t: t, finalize: t.CloseIdleConnections}
}

func (d *Dialer) Start() error { return nil }

func (d *Dialer) Stop() { d.finalize() }
