package unseen

import (
	"context"
	"net/http"

	"google.golang.org/grpc"
)

// nitroCollector dials the appliance and closes the connection on every
// scrape (Citrix-NetScaler-Exporter after its fix): a handshake per scrape,
// which is what the project chose. Not reported.
type nitroCollector struct{ addr string }

func (c *nitroCollector) Collect(ch chan<- float64) {
	conn, err := grpc.NewClient(c.addr)
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.Invoke(context.Background(), "/nitro/stats")
	ch <- 1
}

// autoscaleReconciler builds and closes an Elasticsearch client per
// reconcile (cloud-on-k8s after its fix). Not reported.
type autoscaleReconciler struct{ url string }

func (r *autoscaleReconciler) Reconcile(ctx context.Context, name string) error {
	t := &http.Transport{}
	defer t.CloseIdleConnections()
	c := &http.Client{Transport: t}
	_, err := c.Get(r.url + "/_ml/" + name)
	return err
}

// dropCollector makes a transport per scrape and drops it: its idle
// connections and their goroutines pile up. Reported.
type dropCollector struct{ url string }

func (c *dropCollector) Collect(ch chan<- float64) {
	hc := &http.Client{Transport: &http.Transport{}} // want `dropCollector.Collect creates a new HTTP transport per call and drops it`
	if _, err := hc.Get(c.url); err == nil {
		ch <- 1
	}
}
