// Package observer is cloud-on-k8s's observer manager before its fix
// (elastic/cloud-on-k8s#2916), in another package than its callers: it keeps
// the client of a cluster's first reconcile and drops every later one, unless
// the client compares unequal.
package observer

import (
	"net/http"
	"sync"
)

// Client is the Elasticsearch client a reconcile builds.
type Client interface {
	Equal(other Client) bool
	Get(path string) (*http.Response, error)
}

type Observer struct{ client Client }

type Manager struct {
	mu        sync.Mutex
	observers map[string]*Observer
}

// Observe keeps client only when it has no observer for the cluster, or
// the one it has holds a different client.
func (m *Manager) Observe(cluster string, client Client) *Observer {
	m.mu.Lock()
	o, ok := m.observers[cluster]
	m.mu.Unlock()
	switch {
	case !ok:
		return m.create(cluster, client)
	case !o.client.Equal(client):
		return m.create(cluster, client)
	default:
		return o
	}
}

func (m *Manager) create(cluster string, client Client) *Observer {
	o := &Observer{client: client}
	m.mu.Lock()
	m.observers[cluster] = o
	m.mu.Unlock()
	return o
}

// Register keeps every client it is given, but refuses a duplicate with
// an error: the caller still holds a refused client. Not "sometimes".
func (m *Manager) Register(cluster string, client Client) error {
	if _, ok := m.observers[cluster]; ok {
		return errDuplicate
	}
	m.observers[cluster] = &Observer{client: client}
	return nil
}

// SetAll stores the client in every observer there is: a loop over zero
// or more elements, no condition on the client.
func (m *Manager) SetAll(client Client) {
	for _, o := range m.observers {
		o.client = client
	}
}

// Adopt keeps a non-nil client; a nil one has nothing to drop.
func (m *Manager) Adopt(cluster string, client Client) {
	if client == nil {
		return
	}
	m.observers[cluster] = &Observer{client: client}
}

type refusal struct{}

func (refusal) Error() string { return "duplicate" }

var errDuplicate error = refusal{}
