package unseen

import (
	"net/http"

	"github.com/google/go-github/v89/github"
)

type bearerTransport struct {
	base  http.RoundTripper
	token string
}

func (t *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.base.RoundTrip(r)
}

// githubTool builds a go-github client per request around the shared
// default transport (github-mcp-server's RequestDeps): go-github clones a
// transport only for WithEnvProxy, which it is not given. Not reported.
type githubTool struct{}

func (githubTool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := github.NewClient(github.WithHTTPClient(&http.Client{Transport: &bearerTransport{base: http.DefaultTransport, token: r.Header.Get("X-Token")}}))
	if err != nil {
		return
	}
	_, _ = c.Get("https://api.github.com/user")
}

// proxiedGitHubTool asks for the environment's proxy, so every request
// clones a transport and drops it. Reported.
type proxiedGitHubTool struct{}

func (proxiedGitHubTool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := github.NewClient(github.WithEnvProxy()) // want `proxiedGitHubTool.ServeHTTP creates a new HTTP transport per call and drops it`
	if err != nil {
		return
	}
	_, _ = c.Get("https://api.github.com/user")
}
