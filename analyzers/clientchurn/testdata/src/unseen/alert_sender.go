package unseen

import (
	"net/http"

	"unseen/pkg/receivers"
)

// alertNotifier sends every alert through another package's function
// variable, which builds a transport per send (grafana/alerting's
// Alertmanager receiver before its fix). Reported at the call.
type alertNotifier struct{ urls []string }

func (n alertNotifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, u := range n.urls {
		_ = receivers.SendHTTPRequest(u) // want `alertNotifier.ServeHTTP creates a new HTTP transport per call and drops it`
		_ = receivers.Shared(u)
	}
}
