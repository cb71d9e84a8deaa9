package owners

import (
	"context"
	"net/http"
)

// Notifier opens its transport in Init; its Close only cancels the worker.
type Notifier struct {
	transport *http.Transport
	cancel    context.CancelFunc
}

func (n *Notifier) Init(ctx context.Context) error {
	n.transport = http.DefaultTransport.(*http.Transport).Clone()
	_, n.cancel = context.WithCancel(ctx)
	return nil
}

func (n *Notifier) Close() error { // want `Notifier.Close does not release Notifier.transport; call transport.CloseIdleConnections\(\) in it \| the pool is created here \(http.Transport.Clone\(\), created in Notifier.Init\)`
	n.cancel()
	return nil
}
