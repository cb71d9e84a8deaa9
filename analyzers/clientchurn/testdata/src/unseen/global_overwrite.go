package unseen

import (
	"bytes"
	"crypto/tls"
	"net/http"
)

// Sink is what an event exporter's registries call per event.
type Sink interface {
	Send(body []byte) error
}

type webhookConfig struct {
	Endpoint string
	Insecure bool
}

// NewWebhook returns the concrete webhook as a Sink: the host keeps it and
// calls Send through the interface.
func NewWebhook(cfg *webhookConfig) (Sink, error) {
	return &Webhook{cfg: cfg}, nil
}

type Webhook struct {
	cfg *webhookConfig
}

// Send installs a new transport in the shared http.DefaultClient on every
// event (kubernetes-event-exporter before its fix): kept in a package
// variable, but each call replaces the last pool and nothing closes it.
func (w *Webhook) Send(body []byte) error {
	req, err := http.NewRequest(http.MethodPost, w.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	client := http.DefaultClient
	client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: w.cfg.Insecure}} // want `Webhook.Send replaces http.DefaultClient.Transport with a new HTTP transport per call`
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

var sharedTransport http.RoundTripper

// Post fills the package's transport once: the nil check makes it a lazy
// fill, not an overwrite.
func (w *Webhook) Post(body []byte) error {
	if sharedTransport == nil {
		sharedTransport = &http.Transport{}
	}
	c := &http.Client{Transport: sharedTransport}
	resp, err := c.Post(w.cfg.Endpoint, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

var lastInsecure bool

// Publish rebuilds the shared transport only when the setting changed.
func (w *Webhook) Publish(body []byte) error {
	if w.cfg.Insecure != lastInsecure {
		http.DefaultClient.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: w.cfg.Insecure}}
		lastInsecure = w.cfg.Insecure
	}
	resp, err := http.DefaultClient.Post(w.cfg.Endpoint, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// ConfigureProxy runs once at start-up: setting the shared transport there
// is what it is for.
func ConfigureProxy(insecure bool) {
	http.DefaultClient.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}}
}
