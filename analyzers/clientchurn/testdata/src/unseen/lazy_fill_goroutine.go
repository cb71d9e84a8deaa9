package unseen

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

type Accumulator interface{ AddError(error) }

// Nginx is a plugin-based metrics agent's input: Gather fills the client
// once, then fans out a goroutine per URL that captures the receiver. The
// capture boxes n, and the store went through the box: it is still n's field.
type Nginx struct {
	Urls    []string
	Timeout time.Duration
	client  *http.Client
}

func (n *Nginx) Gather(acc Accumulator) error {
	var wg sync.WaitGroup
	if n.client == nil {
		c, err := n.createHTTPClient()
		if err != nil {
			return err
		}
		n.client = c
	}
	for _, u := range n.Urls {
		addr, err := url.Parse(u)
		if err != nil {
			continue
		}
		wg.Add(1)
		go func(addr *url.URL) {
			defer wg.Done()
			acc.AddError(n.gatherURL(addr))
		}(addr)
	}
	wg.Wait()
	return nil
}

func (n *Nginx) createHTTPClient() (*http.Client, error) {
	return &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: n.Timeout}, Timeout: n.Timeout}, nil
}

func (n *Nginx) gatherURL(addr *url.URL) error {
	resp, err := n.client.Get(addr.String())
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Apache is the same input without the early fill: it really builds a
// client on every scrape, goroutine or not.
type Apache struct {
	Urls []string
}

func (a *Apache) Gather(acc Accumulator) error {
	client := &http.Client{Transport: &http.Transport{}} // want `Apache.Gather creates a new HTTP transport per call and drops it`
	var wg sync.WaitGroup
	for _, u := range a.Urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			resp, err := client.Get(u)
			if err == nil {
				resp.Body.Close()
			}
			acc.AddError(err)
			_ = a
		}(u)
	}
	wg.Wait()
	return nil
}
