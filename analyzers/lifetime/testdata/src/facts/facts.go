package facts // want package:"haspools"

import "net/http"

func NewTransport() *http.Transport { // want NewTransport:`fresh\(0: facts.NewTransport -> &http.Transport\{\}\)`
	return &http.Transport{}
}

func NewClient() *http.Client { // want NewClient:`fresh\(0: facts.NewClient -> facts.NewTransport -> &http.Transport\{\}\)`
	return &http.Client{Transport: NewTransport()}
}

func Fetch(url string) error { // want Fetch:`churns\(facts.Fetch -> facts.NewClient -> facts.NewTransport -> &http.Transport\{\}\)`
	_, err := NewClient().Get(url)
	return err
}

func Ping(url string) error { // want Ping:`churns\(facts.Ping -> facts.Fetch -> facts.NewClient`
	return Fetch(url)
}

func Wrap(rt http.RoundTripper) http.RoundTripper { // want Wrap:`p0:wraps->0`
	return &wrapper{next: rt}
}

type wrapper struct{ next http.RoundTripper }

func (w *wrapper) RoundTrip(r *http.Request) (*http.Response, error) { // want RoundTrip:`p0:uses`
	return w.next.RoundTrip(r)
}

var kept []*http.Client

func Keep(c *http.Client) { kept = append(kept, c) }

func Release(c *http.Client) { // want Release:`p0:releases`
	c.CloseIdleConnections()
}

var shared = &http.Client{}

// Shared returns a package-level client: not fresh, no fact.
func Shared() *http.Client { return shared }

// Optional builds a client only when given none: not fresh for certain.
func Optional(c *http.Client) *http.Client { // want Optional:`p0:wraps->0`
	if c == nil {
		c = &http.Client{Transport: &http.Transport{}}
	}
	return c
}
