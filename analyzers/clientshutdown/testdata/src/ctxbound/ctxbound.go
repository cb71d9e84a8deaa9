package ctxbound

import (
	"bufio"
	"context"
	"net/http"
)

// NotificationMonitor is built once by the gateway's Run and started with
// the context that ends it (docker/mcp-gateway's OAuth notification
// monitor): one stream, read until the context is done. No host would
// call a Close, and nothing is left open after the context.
type NotificationMonitor struct {
	client *http.Client
	url    string
}

func NewNotificationMonitor() *NotificationMonitor {
	return &NotificationMonitor{client: &http.Client{Transport: &http.Transport{}}, url: "http://desktop/notify"}
}

func (m *NotificationMonitor) Start(ctx context.Context) { go m.connect(ctx) }

func (m *NotificationMonitor) connect(ctx context.Context) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.url, nil)
	if err != nil {
		return
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
	}
}

// APIServer is an API server its command builds once, then Init(ctx) and
// Run(ctx, ...) until exit (argo-cd's ArgoCDServer).
type APIServer struct {
	sessions *http.Client
}

func NewAPIServer() *APIServer {
	return &APIServer{sessions: &http.Client{Transport: &http.Transport{}}}
}

func (s *APIServer) Init(ctx context.Context) {}

func (s *APIServer) Run(ctx context.Context, addr string) {
	<-ctx.Done()
}

// Watcher starts without a context: a host that starts it has no way to
// end it but a release method, and it has none.
type Watcher struct { // want `Watcher keeps an HTTP transport in Watcher.client but has no Close method`
	client *http.Client
}

func NewWatcher() *Watcher {
	return &Watcher{client: &http.Client{Transport: &http.Transport{}}}
}

func (w *Watcher) Start() {}
