// Package config is a stub of github.com/prometheus/common/config: clients
// built from a config, each with a transport of its own, keep-alives
// optional.
package config

import "net/http"

// HTTPClientConfig configures an HTTP client.
type HTTPClientConfig struct{ ProxyURL string }

type httpClientOptions struct{ keepAlivesEnabled bool }

// HTTPClientOption configures the client built from a config.
type HTTPClientOption func(*httpClientOptions)

// WithKeepAlivesDisabled makes the client's transport close every
// connection after its request.
func WithKeepAlivesDisabled() HTTPClientOption {
	return func(opts *httpClientOptions) { opts.keepAlivesEnabled = false }
}

// NewRoundTripperFromConfig builds a transport of its own.
func NewRoundTripperFromConfig(cfg HTTPClientConfig, name string, optFuncs ...HTTPClientOption) (http.RoundTripper, error) {
	opts := httpClientOptions{keepAlivesEnabled: true}
	for _, f := range optFuncs {
		f(&opts)
	}
	return &http.Transport{DisableKeepAlives: !opts.keepAlivesEnabled}, nil
}

// NewClientFromConfig builds a client on a transport of its own.
func NewClientFromConfig(cfg HTTPClientConfig, name string, optFuncs ...HTTPClientOption) (*http.Client, error) {
	rt, err := NewRoundTripperFromConfig(cfg, name, optFuncs...)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt}, nil
}
