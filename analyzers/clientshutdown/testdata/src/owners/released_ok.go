package owners

import (
	"context"
	"net/http"

	"google.golang.org/grpc"
)

// Releases through a helper method, a defer and a closure: all count.
type Webhook struct {
	client *http.Client
	conn   *grpc.ClientConn
	done   chan struct{}
}

func NewWebhook() (*Webhook, error) {
	conn, err := grpc.Dial("127.0.0.1:1")
	if err != nil {
		return nil, err
	}
	return &Webhook{client: &http.Client{Transport: &http.Transport{}}, conn: conn, done: make(chan struct{})}, nil
}

func (w *Webhook) Shutdown(ctx context.Context) error {
	defer w.closeConn()
	close(w.done)
	func() { w.client.CloseIdleConnections() }()
	return nil
}

func (w *Webhook) closeConn() { w.conn.Close() }

// Shared takes its client from outside: it does not own it.
type Shared struct{ client *http.Client }

func NewShared(c *http.Client) *Shared { return &Shared{client: c} }

// Cheap uses the default transport: nothing to release.
type Cheap struct{ client *http.Client }

func NewCheap() *Cheap { return &Cheap{client: &http.Client{Timeout: 5}} }
