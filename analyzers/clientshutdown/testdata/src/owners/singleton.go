package owners

import "net/http"

// A package-level client lives as long as the process: not an owner.
var processClient = &http.Client{Transport: &http.Transport{}}

type Registry struct{ client *http.Client }

var registry *Registry

func init() {
	registry = &Registry{client: &http.Client{Transport: &http.Transport{}}}
}

// cleanhttp.DefaultTransport's shape: a pooled transport with keep-alives
// turned off keeps nothing to release.
type noKeepAlive struct{ t *http.Transport }

func newNoKeepAlive() *noKeepAlive {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableKeepAlives = true
	return &noKeepAlive{t: t}
}
