package owners

import (
	"context"
	"net/http"
	"time"
)

// Moderator is a plugin (it has Init): it opens a client with its own
// transport and never releases it.
type Moderator struct { // want `Moderator keeps an HTTP transport in Moderator.client but has no Close method; add one that releases it \| the pool in client is created here \(&http.Transport\{\}, created in NewModerator\)`
	client *http.Client
	url    string
}

func NewModerator(url string) *Moderator {
	return &Moderator{
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: time.Second},
		url:    url,
	}
}

func (m *Moderator) Init(ctx context.Context) error { return nil }

func (m *Moderator) Check(text string) error {
	_, err := m.client.Get(m.url)
	return err
}

// smartRoundTripper keeps three transports: one finding names them all,
// and the fix releases them all.
type smartRoundTripper struct { // want `smartRoundTripper keeps 2 pools in fields but does not forward CloseIdleConnections to them \| the pool in h1 is created here \(http.Transport.Clone\(\), created in newSmartRoundTripper\) \| the pool in h2 is created here`
	h1, h2 *http.Transport
}

func newSmartRoundTripper(base *http.Transport) *smartRoundTripper {
	return &smartRoundTripper{h1: base.Clone(), h2: base.Clone()}
}

func (s *smartRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	return s.h1.RoundTrip(r)
}

// wrapperRT releases through CloseIdleConnections, which http.Client's own
// CloseIdleConnections calls: that is a release method.
type wrapperRT struct{ next *http.Transport }

func newWrapperRT() *wrapperRT { return &wrapperRT{next: &http.Transport{}} }

func (w *wrapperRT) RoundTrip(r *http.Request) (*http.Response, error) { return w.next.RoundTrip(r) }

func (w *wrapperRT) CloseIdleConnections() { w.next.CloseIdleConnections() }

// registryClient is a plain client wrapper with no lifecycle of its own: it
// lives as long as what holds it (in a CLI, the process). Not reported.
type registryClient struct{ hc *http.Client }

func newRegistryClient() *registryClient {
	return &registryClient{hc: &http.Client{Transport: &http.Transport{}}}
}

func (c *registryClient) Lookup(name string) error {
	_, err := c.hc.Get("http://registry/" + name)
	return err
}

// forwardAuth holds its client by value (traefik's shape): the fix calls
// CloseIdleConnections without a nil check, which would not compile.
type forwardAuth struct { // want `forwardAuth keeps an HTTP transport in forwardAuth.client`
	client http.Client
}

func newForwardAuth() *forwardAuth {
	fa := &forwardAuth{}
	fa.client = http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	return fa
}

func (fa *forwardAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) { fa.client.Do(r) }
