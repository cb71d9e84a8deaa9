package unseen

import (
	"net/http"
	"net/url"
)

type ToolConfig struct{ Proxy string }

type ToolHandler struct{ cfg ToolConfig }

// A pool assigned on two branches is still one new pool per call.
func (h *ToolHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var t *http.Transport
	if h.cfg.Proxy != "" {
		u, _ := url.Parse(h.cfg.Proxy)
		t = &http.Transport{Proxy: http.ProxyURL(u)} // want `ToolHandler.ServeHTTP creates a new HTTP transport per call and drops it`
	} else {
		t = http.DefaultTransport.(*http.Transport).Clone() // want `ToolHandler.ServeHTTP creates a new HTTP transport per call and drops it`
	}
	client := &http.Client{Transport: t}
	resp, err := client.Get("http://upstream" + r.URL.Path)
	if err == nil {
		resp.Body.Close()
	}
}
