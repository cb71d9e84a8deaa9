// Package option stubs google.golang.org/api/option: options that hand a
// Google API client the connection or HTTP client it should use.
package option

import (
	"net/http"

	"google.golang.org/grpc"
)

type ClientOption interface{ Apply(*Settings) }

type Settings struct {
	Conn       *grpc.ClientConn
	HTTPClient *http.Client
}

type withGRPCConn struct{ conn *grpc.ClientConn }

func (w withGRPCConn) Apply(s *Settings) { s.Conn = w.conn }

func WithGRPCConn(conn *grpc.ClientConn) ClientOption { return withGRPCConn{conn} }

type withHTTPClient struct{ client *http.Client }

func (w withHTTPClient) Apply(s *Settings) { s.HTTPClient = w.client }

func WithHTTPClient(client *http.Client) ClientOption { return withHTTPClient{client} }

type withoutTelemetry struct{}

func (withoutTelemetry) Apply(*Settings) {}

func WithTelemetryDisabled() ClientOption { return withoutTelemetry{} }
