// Package notify posts events to a webhook with a client of its own.
package notify

import (
	"net/http"
	"strings"
	"time"
)

// Notifier is a component the host starts; it opens a client in its
// constructor and never releases it.
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

// Notify posts one event.
func (n *Notifier) Notify(event string) error {
	resp, err := n.client.Post(n.url, "text/plain", strings.NewReader(event))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Start is called by the host once the notifier is registered.
func (n *Notifier) Start() error { return nil }
