package owners

import "net/http"

// Upstream rebuilds its transport on reload.
type Upstream struct {
	transport *http.Transport
}

func NewUpstream() *Upstream { return &Upstream{transport: &http.Transport{}} }

func (u *Upstream) Reload(maxIdle int) {
	u.transport = &http.Transport{MaxIdleConnsPerHost: maxIdle} // want `Upstream.Reload replaces Upstream.transport with a new HTTP transport without closing the old one`
}

func (u *Upstream) Close() error {
	u.transport.CloseIdleConnections()
	return nil
}

// Careful releases the old pool first.
type Careful struct {
	transport *http.Transport
}

func NewCareful() *Careful { return &Careful{transport: &http.Transport{}} }

func (c *Careful) Reload(maxIdle int) {
	old := c.transport
	c.transport = &http.Transport{MaxIdleConnsPerHost: maxIdle}
	old.CloseIdleConnections()
}

func (c *Careful) Close() error {
	c.transport.CloseIdleConnections()
	return nil
}

// Conn connects lazily; "ensureConnected" is not a reload, though its
// letters contain "reConnect".
type Conn struct{ t *http.Transport }

func (c *Conn) ensureConnected() {
	if c.t != nil {
		return
	}
	c.t = &http.Transport{}
}

func (c *Conn) Close() error {
	c.t.CloseIdleConnections()
	return nil
}
