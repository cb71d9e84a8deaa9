package unseenowners

import (
	"context"

	"google.golang.org/api/support/bundler"
	"google.golang.org/grpc"
)

// metricsUploader and spanUploader are stackdriver's statsExporter and
// traceExporter: each dials its own gRPC connection, and uploads through a
// bundler whose handler is a closure over the uploader itself.
type metricsUploader struct {
	conn    *grpc.ClientConn
	bundler *bundler.Bundler
	seen    map[string]bool
}

func newMetricsUploader(ctx context.Context, target string) (*metricsUploader, error) {
	conn, err := grpc.DialContext(ctx, target)
	if err != nil {
		return nil, err
	}
	u := &metricsUploader{conn: conn, seen: make(map[string]bool)}
	u.bundler = bundler.NewBundler((*string)(nil), func(bundle interface{}) {
		u.upload(bundle.([]string))
	})
	return u, nil
}

func (u *metricsUploader) upload(names []string) {
	for _, batch := range u.split(names, 200) {
		_ = u.conn.Invoke(context.Background(), "/monitoring/CreateTimeSeries"+batch[0])
	}
}

// split calls itself on its receiver, as statsExporter's
// combineTimeSeriesToCreateTimeSeriesRequest does.
func (u *metricsUploader) split(names []string, limit int) [][]string {
	if len(names) <= limit {
		return [][]string{names}
	}
	return append([][]string{names[:limit]}, u.split(names[limit:], limit)...)
}

func (u *metricsUploader) Flush() { u.bundler.Flush() }

type spanUploader struct {
	conn    *grpc.ClientConn
	bundler *bundler.Bundler
}

func newSpanUploader(ctx context.Context, target string) (*spanUploader, error) {
	conn, err := grpc.DialContext(ctx, target)
	if err != nil {
		return nil, err
	}
	u := &spanUploader{conn: conn}
	u.bundler = bundler.NewBundler((*string)(nil), func(bundle interface{}) {
		_ = u.conn.Invoke(context.Background(), "/trace/BatchWriteSpans")
	})
	return u, nil
}

func (u *spanUploader) Flush() { u.bundler.Flush() }

// StackExporter is what the library hands its users (stackdriver's
// Exporter): its connections sit in unexported fields, and it has no
// Close, so every exporter a user makes leaks two gRPC connections.
type StackExporter struct { // want `StackExporter keeps 2 pools in fields but has no Close method; add one that releases them`
	metrics *metricsUploader
	spans   *spanUploader
}

func NewStackExporter(ctx context.Context, target string) (*StackExporter, error) {
	m, err := newMetricsUploader(ctx, target)
	if err != nil {
		return nil, err
	}
	s, err := newSpanUploader(ctx, target)
	if err != nil {
		return nil, err
	}
	return &StackExporter{metrics: m, spans: s}, nil
}

func (e *StackExporter) Flush() {
	e.metrics.Flush()
	e.spans.Flush()
}

// ClosingExporter has the Close stackdriver's fix added: quiet.
type ClosingExporter struct {
	metrics *metricsUploader
	spans   *spanUploader
}

func NewClosingExporter(ctx context.Context, target string) (*ClosingExporter, error) {
	m, err := newMetricsUploader(ctx, target)
	if err != nil {
		return nil, err
	}
	s, err := newSpanUploader(ctx, target)
	if err != nil {
		return nil, err
	}
	return &ClosingExporter{metrics: m, spans: s}, nil
}

func (e *ClosingExporter) Close() error {
	mErr := e.metrics.conn.Close()
	tErr := e.spans.conn.Close()
	if mErr != nil {
		return mErr
	}
	return tErr
}

// OpenConnClient exposes its connection: its users can close it (quiet).
type OpenConnClient struct {
	Conn *grpc.ClientConn
}

func NewOpenConnClient(target string) (*OpenConnClient, error) {
	conn, err := grpc.Dial(target)
	if err != nil {
		return nil, err
	}
	return &OpenConnClient{Conn: conn}, nil
}

// GivenConnClient runs on the caller's connection: quiet.
type GivenConnClient struct {
	conn *grpc.ClientConn
}

func NewGivenConnClient(conn *grpc.ClientConn) *GivenConnClient {
	return &GivenConnClient{conn: conn}
}

func (c *GivenConnClient) Ping(ctx context.Context) error { return c.conn.Invoke(ctx, "/ping") }

// internalExporter is not exported: whoever in the package makes one can
// reach its connection (quiet).
type internalExporter struct {
	metrics *metricsUploader
}

func newInternalExporter(ctx context.Context, target string) (*internalExporter, error) {
	m, err := newMetricsUploader(ctx, target)
	return &internalExporter{metrics: m}, err
}
