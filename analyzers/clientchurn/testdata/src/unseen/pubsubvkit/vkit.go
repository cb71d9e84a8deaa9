// Package pubsubvkit is a generated Google API client in the shape of
// cloud.google.com/go/pubsub/apiv1: the client keeps the conn its options
// give it.
package pubsubvkit

import (
	"context"

	"google.golang.org/api/option"
	"google.golang.org/grpc"
)

type PublisherClient struct{ conn *grpc.ClientConn }

func NewPublisherClient(ctx context.Context, opts ...option.ClientOption) (*PublisherClient, error) {
	var s option.Settings
	for _, o := range opts {
		o.Apply(&s)
	}
	return &PublisherClient{conn: s.Conn}, nil
}

func (c *PublisherClient) Close() error { return c.conn.Close() }
