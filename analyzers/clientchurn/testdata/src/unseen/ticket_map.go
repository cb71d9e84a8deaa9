package unseen

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/cookiejar"
	"sync"
)

type Portal struct {
	mu       sync.Mutex
	sessions map[string]*http.Client
	byHost   map[string]*http.Client
}

func newTicket() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Login stores a new client under a fresh random ticket on every call: a
// store keyed by something new each time is not a cache.
func (p *Portal) Login(w http.ResponseWriter, r *http.Request) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: &http.Transport{}, Jar: jar} // want `Portal.Login creates a new HTTP transport per call`
	ticket := newTicket()
	p.mu.Lock()
	p.sessions[ticket] = c
	p.mu.Unlock()
	w.Write([]byte(ticket))
}

// Forward keeps one client per upstream host: a cache.
func (p *Portal) Forward(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	c, ok := p.byHost[r.URL.Host]
	if !ok {
		c = &http.Client{Transport: &http.Transport{}}
		p.byHost[r.URL.Host] = c
	}
	p.mu.Unlock()
	c.Get("http://" + r.URL.Host)
}
