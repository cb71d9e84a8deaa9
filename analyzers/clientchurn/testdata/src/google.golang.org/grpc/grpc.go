// Package grpc is a stub of google.golang.org/grpc.
package grpc

import "context"

type ClientConn struct{}
type DialOption interface{}

func Dial(target string, opts ...DialOption) (*ClientConn, error) { return &ClientConn{}, nil }
func DialContext(ctx context.Context, target string, opts ...DialOption) (*ClientConn, error) {
	return &ClientConn{}, nil
}
func NewClient(target string, opts ...DialOption) (*ClientConn, error) { return &ClientConn{}, nil }
func (c *ClientConn) Close() error                                     { return nil }
func (c *ClientConn) Invoke(ctx context.Context, method string) error  { return nil }

type Server struct{}

func NewServer(opts ...interface{}) *Server { return &Server{} }

// ServiceDesc describes a service as generated code registers it.
type ServiceDesc struct {
	ServiceName string
	HandlerType interface{}
}

func (s *Server) RegisterService(sd *ServiceDesc, ss interface{}) {}
