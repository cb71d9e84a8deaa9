package owners

import (
	"net/http"
	"time"
)

// Moderator opens a client with its own transport and never releases it.
type Moderator struct { // want `Moderator keeps an HTTP transport in Moderator.client \(&http.Transport\{\}, created in NewModerator\) but has no Shutdown, Close or Stop method to release it`
	client *http.Client
	url    string
}

func NewModerator(url string) *Moderator {
	return &Moderator{
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: time.Second},
		url:    url,
	}
}

func (m *Moderator) Check(text string) error {
	_, err := m.client.Get(m.url)
	return err
}
