package unseen

import (
	"crypto/tls"
	"net/http"
)

// A pool that merges with a package-level value without any nil check is
// not a broken memoisation: startup code picking a client.
func pickClient(insecure bool) *http.Client {
	x := http.DefaultClient
	if insecure {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		x = &http.Client{Transport: t}
	}
	return x
}

type Fetcher struct{ client *http.Client }

// NewFetcher clones the default transport once per fetcher, on purpose.
func NewFetcher() *Fetcher {
	var rt http.RoundTripper = http.DefaultTransport
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		rt = t.Clone()
	}
	return &Fetcher{client: &http.Client{Transport: rt}}
}

func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

// A type assertion is no nil check either; in a per-request method the
// finding is the clone made on every call, and no fix may assign to
// another package's variable.
type Relay struct{ target string }

func (p *Relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var transport http.RoundTripper
	t, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		transport = t.Clone() // want `Relay.ServeHTTP creates a new HTTP transport per call and drops it.*no automatic fix: it clones http.DefaultTransport through the local t on every call`
	} else {
		transport = http.DefaultTransport
	}
	resp, err := transport.RoundTrip(r)
	if err == nil {
		resp.Body.Close()
	}
}
