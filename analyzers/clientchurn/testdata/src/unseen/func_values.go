package unseen

import (
	"context"
	"net/http"

	"google.golang.org/grpc"

	"lib"
)

type SearchClient struct{ hc *http.Client }

func NewSearchClient(url string) (*SearchClient, error) {
	return &SearchClient{hc: &http.Client{Transport: &http.Transport{}}}, nil
}

func (c *SearchClient) Ping() error { _, err := c.hc.Get("http://search/"); return err }

// The reconciler calls its constructor through a field, once per
// reconcile.
type IndexReconciler struct {
	newSearchClient func(url string) (*SearchClient, error)
}

func NewIndexReconciler() *IndexReconciler {
	return &IndexReconciler{newSearchClient: NewSearchClient}
}

func (r *IndexReconciler) Reconcile(ctx context.Context, name string) error {
	c, err := r.newSearchClient("http://search") // want `IndexReconciler.Reconcile creates a new .* per call and drops it`
	if err != nil {
		return err
	}
	return c.Ping()
}

// ProbeFunc probes one target; probers maps a scheme to its prober.
type ProbeFunc func(ctx context.Context, target string) error

var probers = map[string]ProbeFunc{
	"http": probeHTTP,
	"grpc": probeGRPC,
}

func probeHTTP(ctx context.Context, target string) error {
	c := &http.Client{Transport: &http.Transport{}} // want `probeHTTP creates a new HTTP transport per call and drops it`
	_, err := c.Get(target)
	return err
}

// probeGRPC dials and closes per probe, reached through the same map: a
// prober times a fresh connection on purpose (knowledge.ProbePrefixes),
// so only a prober that drops its pool is reported.
func probeGRPC(ctx context.Context, target string) error {
	conn, err := grpc.NewClient(target)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Invoke(ctx, "/grpc.health.v1.Health/Check")
}

// Probe runs per request, and calls a prober picked from the map.
func Probe(w http.ResponseWriter, r *http.Request) {
	p := probers[r.URL.Query().Get("scheme")]
	p(r.Context(), r.URL.Query().Get("target"))
}

// ClientProvider is a named function type; the reconciler's field is set
// to another package's constructor, converted to it (cloud-on-k8s's
// esClientProvider = commonesclient.NewClient), and called per reconcile.
type ClientProvider func() *http.Client

type ScaleReconciler struct{ newClient ClientProvider }

func NewScaleReconciler() *ScaleReconciler {
	return &ScaleReconciler{newClient: lib.NewClient}
}

func (r *ScaleReconciler) Reconcile(ctx context.Context, name string) error {
	c := r.newClient() // want `ScaleReconciler.Reconcile creates a new HTTP transport per call and drops it`
	_, err := c.Get("http://es/" + name)
	return err
}
