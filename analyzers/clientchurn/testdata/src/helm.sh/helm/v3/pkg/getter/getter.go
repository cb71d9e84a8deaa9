// Package getter stubs helm.sh/helm/v3/pkg/getter: an HTTP getter that
// makes a transport of its own per call unless an option gives it one.
package getter

import (
	"bytes"
	"io"
	"net/http"
)

type getterOptions struct {
	transport *http.Transport
	insecure  bool
}

type Option func(*getterOptions)

func WithTransport(t *http.Transport) Option {
	return func(o *getterOptions) { o.transport = t }
}

func WithInsecureSkipVerifyTLS(v bool) Option {
	return func(o *getterOptions) { o.insecure = v }
}

type Getter interface {
	Get(url string, options ...Option) (*bytes.Buffer, error)
}

type HTTPGetter struct{ opts getterOptions }

// HTTPProvider is how helm hands out its getters (getter.All's providers):
// not a constructor by name, so Get is not an operation in this package.
func HTTPProvider(options ...Option) (Getter, error) {
	var g HTTPGetter
	for _, o := range options {
		o(&g.opts)
	}
	return &g, nil
}

func (g *HTTPGetter) Get(href string, options ...Option) (*bytes.Buffer, error) {
	opts := g.opts
	for _, o := range options {
		o(&opts)
	}
	client := g.httpClient(opts)
	resp, err := client.Get(href)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf := bytes.NewBuffer(nil)
	_, err = io.Copy(buf, resp.Body)
	return buf, err
}

func (g *HTTPGetter) httpClient(opts getterOptions) *http.Client {
	if opts.transport != nil {
		return &http.Client{Transport: opts.transport}
	}
	return &http.Client{Transport: &http.Transport{}}
}
