package unseen

import (
	"net/http"

	"github.com/ktrysmt/go-bitbucket"
)

// ListBranchesHandler builds a Bitbucket client per request (argo-cd's SCM
// provider generator and webhook). Without CA certificates the library
// makes no pool: its client is on the shared default transport.
func ListBranchesHandler(w http.ResponseWriter, r *http.Request) {
	c := bitbucket.NewBasicAuth(r.FormValue("user"), r.FormValue("password"))
	if r.FormValue("token") != "" {
		c = bitbucket.NewOAuthbearerToken(r.FormValue("token"))
	}
	_ = c.ListBranches(r.URL.Path)
}

// With CA certificates every call clones a transport of its own.
func ListBranchesWithCAHandler(w http.ResponseWriter, r *http.Request) {
	c := bitbucket.NewBasicAuthWithCaCert(r.FormValue("user"), r.FormValue("password"), []byte(r.FormValue("ca"))) // want `ListBranchesWithCAHandler creates a new HTTP transport per call and drops it`
	_ = c.ListBranches(r.URL.Path)
}

// The same shape inside one package: the provider is built per request
// with no CA certificates, so its clone is never made.
func ProviderHandler(w http.ResponseWriter, r *http.Request) {
	p := newSCMProvider(r.FormValue("user"), nil)
	_ = p.list(r.URL.Path)
}

func ProviderWithCAHandler(w http.ResponseWriter, r *http.Request) {
	p := newSCMProvider(r.FormValue("user"), []byte(r.FormValue("ca"))) // want `ProviderWithCAHandler creates a new HTTP transport per call and drops it`
	_ = p.list(r.URL.Path)
}

type scmProvider struct{ http *http.Client }

func newSCMProvider(user string, caCerts []byte) *scmProvider {
	p := &scmProvider{http: new(http.Client)}
	if caCerts != nil {
		p.http = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return p
}

func (p *scmProvider) list(path string) error {
	resp, err := p.http.Get("https://scm.example/" + path)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
