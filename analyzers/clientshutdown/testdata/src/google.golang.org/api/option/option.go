// Package option stubs google.golang.org/api/option: options that hand a
// Google API client the HTTP client it should use.
package option

import "net/http"

type ClientOption interface{ Apply(*Settings) }

type Settings struct{ HTTPClient *http.Client }

type withHTTPClient struct{ client *http.Client }

func (w withHTTPClient) Apply(s *Settings) { s.HTTPClient = w.client }

func WithHTTPClient(client *http.Client) ClientOption { return withHTTPClient{client} }

type withEndpoint string

func (w withEndpoint) Apply(*Settings) {}

func WithEndpoint(url string) ClientOption { return withEndpoint(url) }
