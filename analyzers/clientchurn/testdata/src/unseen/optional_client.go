package unseen

import (
	"context"
	"net/http"

	docker "github.com/docker/docker/client"
)

var dockerHTTP = &http.Client{Transport: &http.Transport{}}

type machineReconciler struct{ ctx context.Context }

// finalize runs per reconcile and gives the Docker client nil for its
// *http.Client, so the library makes a transport of its own every time and
// it is dropped (Naglfar's TestResourceReconciler).
func (r *machineReconciler) Reconcile(ctx context.Context, url string) error {
	c, err := docker.NewClient(url, "1.40", nil, nil) // want `machineReconciler.Reconcile creates a new HTTP transport per call and drops it`
	if err != nil {
		return err
	}
	return c.ContainerRemove(ctx, "test")
}

// Given the shared client, the library makes none.
func (r *machineReconciler) Finalize(ctx context.Context, url string) error {
	c, err := docker.NewClient(url, "1.40", dockerHTTP, nil)
	if err != nil {
		return err
	}
	return c.ContainerRemove(ctx, "test")
}
