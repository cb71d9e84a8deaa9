// Package notify posts events to a webhook with a client of its own.
package notify

import (
	"net/http"
	"strings"
	"time"
)

// Notifier owns its client and never releases it.
type Notifier struct {
	client *http.Client
	url    string
}

// New opens the notifier's client.
func New(url string) *Notifier {
	return &Notifier{
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 5 * time.Second},
		url:    url,
	}
}

// Start announces the notifier: it is a component the service starts.
func (n *Notifier) Start() error { return n.Notify("started") }

// Notify posts one event.
func (n *Notifier) Notify(event string) error {
	resp, err := n.client.Post(n.url, "text/plain", strings.NewReader(event))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
