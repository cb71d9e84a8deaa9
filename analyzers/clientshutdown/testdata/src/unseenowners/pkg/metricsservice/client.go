// Package metricsservice is an application's own package under pkg/ (keda's
// metrics service client): its main builds one client for the life of the
// process, so a client without Close is no leak, and nothing would call one.
package metricsservice

import (
	"context"

	"google.golang.org/grpc"
)

type GrpcClient struct {
	connection *grpc.ClientConn
}

func NewGrpcClient(ctx context.Context, url string) (*GrpcClient, error) {
	conn, err := grpc.Dial(url)
	if err != nil {
		return nil, err
	}
	return &GrpcClient{connection: conn}, nil
}

func (c *GrpcClient) GetMetrics(ctx context.Context) error {
	return c.connection.Invoke(ctx, "/api.MetricsService/GetMetrics")
}
