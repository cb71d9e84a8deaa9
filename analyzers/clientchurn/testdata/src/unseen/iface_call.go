package unseen

import (
	"context"

	"google.golang.org/grpc"
)

// AdminClients hands out admin clients; the gRPC handler asks it for one
// on every call.
type AdminClients interface {
	NewAdminClient(addr string) (*AdminClient, error)
}

type AdminClient struct{ conn *grpc.ClientConn }

func (c *AdminClient) Status(ctx context.Context) error { return c.conn.Invoke(ctx, "/Admin/Status") }

type dialingClients struct{}

func (dialingClients) NewAdminClient(addr string) (*AdminClient, error) {
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return nil, err
	}
	return &AdminClient{conn: conn}, nil
}

// NodeServer is a gRPC service implementation, registered below.
type NodeServer struct {
	clients AdminClients
}

type StatusRequest struct{ Addr string }
type StatusReply struct{}

func (s *NodeServer) Status(ctx context.Context, req *StatusRequest) (*StatusReply, error) {
	c, err := s.clients.NewAdminClient(req.Addr) // want `NodeServer.Status creates a new client connection per call and drops it`
	if err != nil {
		return nil, err
	}
	return &StatusReply{}, c.Status(ctx)
}

// NodeServiceServer is the generated service interface.
type NodeServiceServer interface {
	Status(context.Context, *StatusRequest) (*StatusReply, error)
}

var nodeServiceDesc = grpc.ServiceDesc{ServiceName: "node.Node", HandlerType: (*NodeServiceServer)(nil)}

// RegisterNodeServiceServer is what protoc-gen-go-grpc generates.
func RegisterNodeServiceServer(s *grpc.Server, srv NodeServiceServer) {
	s.RegisterService(&nodeServiceDesc, srv)
}

func serveNode(s *grpc.Server) {
	RegisterNodeServiceServer(s, &NodeServer{clients: dialingClients{}})
}
