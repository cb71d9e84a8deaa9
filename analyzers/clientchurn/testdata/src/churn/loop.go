package churn

import (
	"net/http"
	"sync"
)

// A pool per item of a batch, dropped at the end of each iteration.
func probeAll(urls []string) {
	for _, u := range urls {
		c := &http.Client{Transport: &http.Transport{}} // want `probeAll creates a new HTTP transport per call and drops it; create it once and reuse it`
		c.Get(u)
	}
}

func probeOne(u string) {
	c := &http.Client{Transport: &http.Transport{}} // want `probeOne creates a new HTTP transport per call and drops it; create it once and reuse it`
	c.Get(u)
}

func probeMany(urls []string) {
	for _, u := range urls {
		probeOne(u)
	}
}

// A goroutine started per item.
func fanOut(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{}} // want `fanOut.func1 creates a new HTTP transport per call and drops it; create it once and reuse it`
			c.Get(u)
		}()
	}
	wg.Wait()
}
