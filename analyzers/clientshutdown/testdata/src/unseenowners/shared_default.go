package unseenowners

import (
	"context"
	"crypto/tls"
	"net/http"
)

// Notifier may hold the shared default client: closing it in Close would
// close every other user's idle connections, so there is no fix to write.
type Notifier struct{ client *http.Client }

func NewNotifier(insecure bool) *Notifier {
	c := http.DefaultClient
	if insecure {
		c = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	return &Notifier{client: c}
}

func (n *Notifier) Close() error { return nil } // want `Notifier.Close does not release Notifier.client.*no automatic fix: client may also hold http.DefaultClient`

// Runner is how this host drives its workers: it never releases them, so
// a Close added to Poller would never be called.
type Runner interface {
	Run(ctx context.Context) error
}

var _ Runner = (*Poller)(nil)

type Poller struct{ client *http.Client } // want `Poller keeps an HTTP transport in Poller.client.*no automatic fix: its host drives it through Runner`

func NewPoller() *Poller { return &Poller{client: &http.Client{Transport: &http.Transport{}}} }

func (p *Poller) Run(ctx context.Context) error {
	_, err := p.client.Get("http://example.com/poll")
	return err
}

// Frontend is a server a CLI command builds once and runs until the
// process exits (jaeger's HotROD frontend): nothing to release.
type Frontend struct{ client *http.Client }

func NewFrontend() *Frontend { return &Frontend{client: &http.Client{Transport: &http.Transport{}}} }

func (f *Frontend) Run() error {
	_, err := f.client.Get("http://example.com/")
	return err
}
