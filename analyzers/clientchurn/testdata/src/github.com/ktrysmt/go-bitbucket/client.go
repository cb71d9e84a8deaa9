// Package bitbucket is a stub in the shape of ktrysmt/go-bitbucket v0.10:
// its constructors clone the default transport only when CA certificates
// are passed; the plain ones use a client on the shared default transport.
package bitbucket

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
)

type auth struct {
	user, password string
	bearerToken    string
	caCerts        []byte
}

type Client struct {
	Auth       *auth
	HttpClient *http.Client
}

func (c *Client) ListBranches(repo string) error {
	resp, err := c.HttpClient.Get("https://api.bitbucket.org/2.0/repositories/" + repo)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func appendCaCerts(caCerts []byte) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caCerts)
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool}
	return &http.Client{Transport: t}
}

func injectClient(a *auth) *Client {
	c := &Client{Auth: a}
	if a.caCerts != nil {
		c.HttpClient = appendCaCerts(a.caCerts)
	} else {
		c.HttpClient = new(http.Client)
	}
	return c
}

func NewBasicAuth(u, p string) *Client {
	a := &auth{user: u, password: p}
	return injectClient(a)
}

func NewOAuthbearerToken(t string) *Client {
	return injectClient(&auth{bearerToken: t})
}

func NewBasicAuthWithCaCert(u, p string, c []byte) *Client {
	a := &auth{user: u, password: p, caCerts: c}
	return injectClient(a)
}
