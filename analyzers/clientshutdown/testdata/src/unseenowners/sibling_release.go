package unseenowners

import (
	"net/http"
	"sync/atomic"
)

func defaultSprayingClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
}

// Retrier is retryablehttp-go's Client: NewRetrier builds both
// clients, and the client's own teardown, closeIdleConnections (run from
// Do every hundredth request), closes one of them and forgets the other.
type Retrier struct {
	HTTPClient  *http.Client
	HTTPClient2 *http.Client
	counter     atomic.Uint32
	kill        bool
}

func NewRetrier(kill bool) *Retrier {
	return &Retrier{HTTPClient: defaultSprayingClient(), HTTPClient2: defaultSprayingClient(), kill: kill}
}

func (c *Retrier) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		resp, err = c.HTTPClient2.Do(req)
	}
	c.closeIdleConnections()
	return resp, err
}

func (c *Retrier) closeIdleConnections() { // want `Retrier.closeIdleConnections does not release Retrier.HTTPClient2; call HTTPClient2.CloseIdleConnections\(\) in it`
	if c.kill {
		if c.counter.Load() < 100 {
			c.counter.Add(1)
		} else {
			c.counter.Store(0)
			c.HTTPClient.CloseIdleConnections()
		}
	}
}

// FixedRetrier closes both, as retryablehttp-go's fix does: quiet.
type FixedRetrier struct {
	HTTPClient  *http.Client
	HTTPClient2 *http.Client
	counter     atomic.Uint32
}

func NewFixedRetrier() *FixedRetrier {
	return &FixedRetrier{HTTPClient: defaultSprayingClient(), HTTPClient2: defaultSprayingClient()}
}

func (c *FixedRetrier) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.HTTPClient.Do(req)
	c.closeIdleConnections()
	return resp, err
}

func (c *FixedRetrier) closeIdleConnections() {
	if c.counter.Add(1) >= 100 {
		c.counter.Store(0)
		c.HTTPClient.CloseIdleConnections()
		c.HTTPClient2.CloseIdleConnections()
	}
}

// PlainClient keeps a client of its own making and has no teardown at
// all: a library client that lives as long as its user, as http.Client
// does (quiet).
type PlainClient struct {
	hc *http.Client
}

func NewPlainClient() *PlainClient { return &PlainClient{hc: defaultSprayingClient()} }

func (c *PlainClient) Get(url string) (*http.Response, error) { return c.hc.Get(url) }
