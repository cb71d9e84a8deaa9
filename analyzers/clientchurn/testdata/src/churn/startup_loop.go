package churn

import "net/http"

type Upstream struct{ Name, URL string }

// Gateway keeps one client per configured upstream, built at startup.
type Gateway struct {
	clients map[string]*http.Client
	list    []*http.Client
}

func NewGateway(ups []Upstream) *Gateway {
	g := &Gateway{clients: make(map[string]*http.Client)}
	for _, u := range ups {
		c := &http.Client{Transport: &http.Transport{}}
		g.clients[u.Name] = c
		g.list = append(g.list, &http.Client{Transport: &http.Transport{}})
	}
	return g
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.clients[r.Host].Get("http://upstream")
}
