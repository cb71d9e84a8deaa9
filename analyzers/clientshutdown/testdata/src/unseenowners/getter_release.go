package unseenowners

import "net/http"

// Scraper is held as an interface; its getter hands back the client it
// was built with (go.d.plugin's prometheus.Prometheus.HTTPClient()).
type Scraper interface {
	Scrape() error
	HTTPClient() *http.Client
}

type scraper struct{ client *http.Client }

func (s *scraper) Scrape() error            { return nil }
func (s *scraper) HTTPClient() *http.Client { return s.client }

func NewScraper(c *http.Client) Scraper { return &scraper{client: c} }

// Envoy releases its scraper's client through the getter: quiet.
type Envoy struct{ prom Scraper }

func (e *Envoy) Init() error {
	e.prom = NewScraper(&http.Client{Transport: &http.Transport{}})
	return nil
}

func (e *Envoy) Collect() error { return e.prom.Scrape() }

func (e *Envoy) Cleanup() {
	if e.prom == nil || e.prom.HTTPClient() == nil {
		return
	}
	e.prom.HTTPClient().CloseIdleConnections()
}

// Nginx's Cleanup only reads the getter: the client stays open.
type Nginx struct{ prom Scraper }

func (n *Nginx) Init() error {
	n.prom = NewScraper(&http.Client{Transport: &http.Transport{}})
	return nil
}

func (n *Nginx) Collect() error { return n.prom.Scrape() }

func (n *Nginx) Cleanup() { // want `Nginx.Cleanup does not release Nginx.prom`
	if n.prom.HTTPClient() == nil {
		return
	}
}
