package unseen

import (
	"context"
	"net/http"
	"os"

	"google.golang.org/api/option"
	"google.golang.org/grpc"

	"unseen/pubsubvkit"
)

type PubsubClient struct{ pub *pubsubvkit.PublisherClient }

// NewPubsubClient dials the emulator's conn and hands it to the generated
// client in an option slice (cloud.google.com/go/pubsub's
// NewClientWithConfig): the client keeps it, nothing is dropped.
func NewPubsubClient(ctx context.Context, opts ...option.ClientOption) (*PubsubClient, error) {
	var o []option.ClientOption
	if addr := os.Getenv("PUBSUB_EMULATOR_HOST"); addr != "" {
		conn, err := grpc.Dial(addr)
		if err != nil {
			return nil, err
		}
		o = []option.ClientOption{option.WithGRPCConn(conn)}
		o = append(o, option.WithTelemetryDisabled())
	}
	o = append(o, opts...)
	pub, err := pubsubvkit.NewPublisherClient(ctx, o...)
	if err != nil {
		return nil, err
	}
	return &PubsubClient{pub: pub}, nil
}

type pubsubHandler struct{}

// ServeHTTP makes the client per request and never uses it: with the
// emulator's conn kept by the client, nothing was dialled and dropped
// inside NewPubsubClient.
func (pubsubHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, err := NewPubsubClient(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}
