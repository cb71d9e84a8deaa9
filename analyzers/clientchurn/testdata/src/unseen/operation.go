package unseen

import (
	"crypto/tls"
	"net/http"
)

// Getter is a library's reusable value: its users, in other modules, call
// Get again and again; with a TLS option set, each call builds a transport.
type Getter struct {
	tls *tls.Config
	hc  *http.Client
}

func NewGetter(tlsConfig *tls.Config) *Getter { return &Getter{tls: tlsConfig, hc: http.DefaultClient} }

func (g *Getter) Get(url string) (*http.Response, error) {
	client := g.hc
	if g.tls != nil {
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: g.tls}} // want `Getter.Get creates a new HTTP transport per call and drops it.*Getter.Get is an operation of a reusable value`
	}
	return client.Get(url)
}

// Configure runs once per value: not an operation.
func (g *Getter) Configure() error {
	c := &http.Client{Transport: &http.Transport{}}
	_, err := c.Get("http://example.com/config")
	return err
}
