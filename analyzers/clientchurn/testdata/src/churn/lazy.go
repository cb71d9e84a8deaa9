package churn

import (
	"net/http"
	"sync"
)

// The fixes people actually write: all quiet.

var (
	onceClient     *http.Client
	onceClientInit sync.Once
)

func clientOnce() *http.Client {
	onceClientInit.Do(func() {
		onceClient = &http.Client{Transport: &http.Transport{}}
	})
	return onceClient
}

var lazyTransport = sync.OnceValue(func() *http.Transport {
	return &http.Transport{MaxIdleConnsPerHost: 16}
})

var transports sync.Map

func transportFor(host string) *http.Transport {
	if t, ok := transports.Load(host); ok {
		return t.(*http.Transport)
	}
	t, _ := transports.LoadOrStore(host, &http.Transport{})
	return t.(*http.Transport)
}

type clientCache struct {
	mu      sync.Mutex
	clients map[string]*http.Client
}

func (c *clientCache) get(host string) *http.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[host]; ok {
		return cl
	}
	cl := &http.Client{Transport: &http.Transport{}}
	c.clients[host] = cl
	return cl
}

type Owner struct {
	once   sync.Once
	client *http.Client
	cache  *clientCache
}

func (o *Owner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.once.Do(func() { o.client = &http.Client{Transport: &http.Transport{}} })
	o.client.Get("http://upstream")
	clientOnce().Get("http://upstream")
	lazyTransport().RoundTrip(r)
	transportFor(r.Host).RoundTrip(r)
	o.cache.get(r.Host).Get("http://upstream")
}
