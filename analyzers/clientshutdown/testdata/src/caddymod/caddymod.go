// Package caddymod is shaped like caddy's acmeserver: a module keeps, in a
// field, a wrapper around another package's client. Only the module, the
// outermost owner, is reported.
package caddymod

import "acme"

type resolverClient struct {
	acme.Client
	name string
}

type Handler struct{ acmeClient acme.Client }

func (h *Handler) makeClient() (acme.Client, error) {
	return resolverClient{Client: acme.NewClient(), name: "r"}, nil
}

func (h *Handler) Provision() error {
	var err error
	h.acmeClient, err = h.makeClient()
	return err
}

func (h Handler) Cleanup() error { // want `Handler.Cleanup does not release the pool in Handler.acmeClient, whose type has no release method.* \| the pool is created here \(Handler.makeClient -> acme.NewClient -> &http.Transport\{\}, created in Handler.Provision\)`
	return nil
}
