package unseen

import (
	"context"
	"net/http"

	"unseen/pkg/observer"
)

// esClient owns its own transport, built for the cluster's CA.
type esClient struct{ hc *http.Client }

func (c *esClient) Equal(other observer.Client) bool {
	o, ok := other.(*esClient)
	return ok && o.hc == c.hc
}

func (c *esClient) Get(path string) (*http.Response, error) { return c.hc.Get(path) }

func newESClient() *esClient {
	return &esClient{hc: &http.Client{Transport: &http.Transport{}}}
}

// esDriver builds a client on every reconcile and hands it to the observer
// manager, which keeps only the first (cloud-on-k8s before its fix): every
// later client's transport is dropped with its idle connections. Reported.
type esDriver struct{ observers *observer.Manager }

func (d *esDriver) Reconcile(ctx context.Context, name string) error {
	d.observers.Observe(name, newESClient()) // want `esDriver.Reconcile creates a new HTTP transport per call that Manager.Observe may drop`
	return nil
}

// esRegistrar hands each reconcile's client to Register, SetAll and Adopt:
// each keeps it whenever it returns normally. Not reported here (keeping a
// pool per reconcile is clientshutdown's concern, not a drop). Each client
// is built in place, so that each is a finding of its own if reported.
type esRegistrar struct{ observers *observer.Manager }

func (d *esRegistrar) Reconcile(ctx context.Context, name string) error {
	if err := d.observers.Register(name, &esClient{hc: &http.Client{Transport: &http.Transport{}}}); err != nil {
		return err
	}
	d.observers.SetAll(&esClient{hc: &http.Client{Transport: &http.Transport{}}})
	d.observers.Adopt(name, &esClient{hc: &http.Client{Transport: &http.Transport{}}})
	return nil
}
