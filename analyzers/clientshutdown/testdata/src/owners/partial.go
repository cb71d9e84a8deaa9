package owners

import (
	"errors"
	"net/http"

	"google.golang.org/grpc"
)

// probe releases its transport on the happy path only.
func probe(url string) error {
	t := &http.Transport{} // want `probe releases the HTTP transport it creates on some paths but not at line 15; defer the release \| the pool comes from &http.Transport\{\}`
	resp, err := (&http.Client{Transport: t}).Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	t.CloseIdleConnections()
	return nil
}

// dial checks the error before deferring Close: nothing to release when
// Dial failed, so every path is covered.
func dial(target string) error {
	conn, err := grpc.Dial(target)
	if err != nil {
		return err
	}
	defer conn.Close()
	if target == "" {
		return errors.New("empty")
	}
	return nil
}

type rpcClient struct{ conn *grpc.ClientConn }

func (c *rpcClient) Close() error { return c.conn.Close() }

func newUnixClient(path string) (*rpcClient, error) {
	conn, err := grpc.Dial("unix://" + path)
	if err != nil {
		return nil, err
	}
	return &rpcClient{conn: conn}, nil
}

func newTCPClient(addr string) (*rpcClient, error) {
	conn, err := grpc.Dial(addr)
	if err != nil {
		return nil, err
	}
	return &rpcClient{conn: conn}, nil
}

// isCompressed picks one of two constructors, checks the merged error and
// defers Close (neuvector's fix): the error branch holds no client.
func isCompressed(local bool, addr string) bool {
	var c *rpcClient
	var err error
	if local {
		c, err = newUnixClient(addr)
	} else {
		c, err = newTCPClient(addr)
	}
	if err != nil {
		return false
	}
	defer c.Close()
	return c.conn != nil
}
