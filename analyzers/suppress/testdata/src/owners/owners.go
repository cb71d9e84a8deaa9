package owners

import "net/http"

// Registry lives as long as the process; its pool is never released, on
// purpose. The directive above the type covers the finding on its name.
//
//churnlint:ignore clientshutdown the registry is a process-wide singleton
type Registry struct {
	transport *http.Transport
}

func NewRegistry() *Registry {
	return &Registry{transport: &http.Transport{MaxIdleConnsPerHost: 8}}
}

func (r *Registry) RoundTrip(req *http.Request) (*http.Response, error) {
	return r.transport.RoundTrip(req)
}

type Probe struct { //churnlint:ignore clientshutdown,clientchurn probes are built once, at start-up
	transport *http.Transport
}

func NewProbe() *Probe { return &Probe{transport: &http.Transport{}} }

func (p *Probe) RoundTrip(r *http.Request) (*http.Response, error) { return p.transport.RoundTrip(r) }

// Poller's Close misses the transport; the finding is on Close.
type Poller struct {
	transport *http.Transport
	stop      chan struct{}
}

func NewPoller() *Poller { return &Poller{transport: &http.Transport{}, stop: make(chan struct{})} }

func (p *Poller) RoundTrip(r *http.Request) (*http.Response, error) { return p.transport.RoundTrip(r) }

//churnlint:ignore clientshutdown the transport is handed to the next poller on Close
func (p *Poller) Close() error {
	close(p.stop)
	return nil
}

// want +2 `//churnlint:ignore clientshutdown has no reason, so it suppresses nothing`
//
//churnlint:ignore clientshutdown
type Uploader struct { // want `Uploader keeps an HTTP transport in Uploader.transport`
	transport *http.Transport
}

func NewUploader() *Uploader { return &Uploader{transport: &http.Transport{}} }

func (u *Uploader) RoundTrip(r *http.Request) (*http.Response, error) {
	return u.transport.RoundTrip(r)
}

// A directive for the other check: clientshutdown still reports, and
// leaves the directive to clientchurn.
//
//churnlint:ignore clientchurn names the other check
type Mirror struct { // want `Mirror keeps an HTTP transport in Mirror.transport`
	transport *http.Transport
}

func NewMirror() *Mirror { return &Mirror{transport: &http.Transport{}} }

func (m *Mirror) RoundTrip(r *http.Request) (*http.Response, error) { return m.transport.RoundTrip(r) }

// Unknown names are clientchurn's to report: clientshutdown says nothing
// about this one, and reports the finding under it.
//
//churnlint:ignore clientshutdwn a misspelt check
type Fetcher struct { // want `Fetcher keeps an HTTP transport in Fetcher.transport`
	transport *http.Transport
}

func NewFetcher() *Fetcher { return &Fetcher{transport: &http.Transport{}} }

func (f *Fetcher) RoundTrip(r *http.Request) (*http.Response, error) { return f.transport.RoundTrip(r) }

// Cache releases its transport: the directive has outlived its reason.
//
// want +2 `//churnlint:ignore clientshutdown suppresses nothing \(no clientshutdown finding on line 87`
//
//churnlint:ignore clientshutdown Close is coming
type Cache struct {
	transport *http.Transport
}

func NewCache() *Cache { return &Cache{transport: &http.Transport{}} }

func (c *Cache) RoundTrip(r *http.Request) (*http.Response, error) { return c.transport.RoundTrip(r) }

func (c *Cache) Close() error {
	c.transport.CloseIdleConnections()
	return nil
}
