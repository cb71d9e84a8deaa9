// Package providers implements a host interface with no teardown: there is
// no shutdown for a release method to hook into, so nothing is reported.
package providers

import (
	"net/http"

	"provider"
)

var _ provider.Provider = (*HTTP)(nil)

type HTTP struct{ client *http.Client }

func (p *HTTP) Init() error {
	p.client = &http.Client{Transport: &http.Transport{}}
	return nil
}

func (p *HTTP) Provide(events chan<- string) error {
	_, err := p.client.Get("http://config")
	return err
}
