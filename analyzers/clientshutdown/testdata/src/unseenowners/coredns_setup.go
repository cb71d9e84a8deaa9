package unseenowners

import (
	"net/http"

	"github.com/coredns/caddy"
)

// A CoreDNS plugin's setup runs again on every Corefile reload; a client it
// builds and hands to the server lives until a registered teardown closes
// it (CoreDNS's etcd plugin before it registered c.OnShutdown).
type dnsHandler interface{ Name() string }

var chain []func(next dnsHandler) dnsHandler

func addPlugin(c *caddy.Controller, p func(next dnsHandler) dnsHandler) { chain = append(chain, p) }

type backend struct {
	next   dnsHandler
	client *http.Client
}

func (b *backend) Name() string { return "backend" }

func (b *backend) OnShutdown() error {
	b.client.CloseIdleConnections()
	return nil
}

func parseBackend(c *caddy.Controller) (*backend, error) {
	return &backend{client: &http.Client{Transport: &http.Transport{}}}, nil
}

func setupLeaky(c *caddy.Controller) error {
	b, err := parseBackend(c) // want `setupLeaky builds a new HTTP transport the plugin keeps and registers no teardown; register one with c.OnShutdown \| the pool comes from parseBackend -> &http.Transport\{\} \| setupLeaky is a CoreDNS plugin setup, run again on every Corefile reload`
	if err != nil {
		return err
	}
	addPlugin(c, func(next dnsHandler) dnsHandler {
		b.next = next
		return b
	})
	return nil
}

// The fix: the setup registers a teardown. Quiet.
func setupFixed(c *caddy.Controller) error {
	b, err := parseBackend(c)
	if err != nil {
		return err
	}
	c.OnShutdown(b.OnShutdown)
	addPlugin(c, func(next dnsHandler) dnsHandler {
		b.next = next
		return b
	})
	return nil
}
