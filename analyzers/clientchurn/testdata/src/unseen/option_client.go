package unseen

import (
	"net/http"
	"time"
)

// A constructor that returns the caller's client when an option set one
// and builds its own otherwise (google.golang.org/api's transport/http
// NewClient, used by prometheus's GCE discovery with WithHTTPClient): its
// result is new only on some calls, like an optional client parameter.
type clientSettings struct{ HTTPClient *http.Client }

type clientOption func(*clientSettings)

func withHTTPClient(c *http.Client) clientOption {
	return func(s *clientSettings) { s.HTTPClient = c }
}

func newAPIClient(opts ...clientOption) (*http.Client, error) {
	s := &clientSettings{}
	for _, o := range opts {
		o(s)
	}
	if s.HTTPClient != nil {
		return s.HTTPClient, nil
	}
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, nil
}

type gceDiscovery struct{ interval time.Duration }

// Refresh runs per refresh, but hands in the shared client: quiet.
func (d *gceDiscovery) Refresh() error {
	hc, err := newAPIClient(withHTTPClient(http.DefaultClient))
	if err != nil {
		return err
	}
	_, err = hc.Get("https://compute.example/instances")
	return err
}

// The broken memo written with an early return is still reported.
type memoFetcher struct{ client *http.Client }

func (m *memoFetcher) httpClient() *http.Client {
	if m.client != nil {
		return m.client
	}
	return &http.Client{Transport: &http.Transport{}}
}

func (m *memoFetcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.httpClient().Get("https://upstream.example") // want `memoFetcher.ServeHTTP creates a new HTTP transport per call and drops it`
}
