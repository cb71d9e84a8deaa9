package owners

import "net/http"

// fetchOption configures a fetch, as go-containerregistry's remote.Option.
type fetchOption func(*fetchOptions)

type fetchOptions struct{ transport http.RoundTripper }

func withTransport(t http.RoundTripper) fetchOption {
	return func(o *fetchOptions) { o.transport = t }
}

// ssrfGuard wraps a cloned transport and does not forward its release. The fetcher
// holding it through its options is a plain value with no lifecycle
// (istio's ImageFetcher): it does not hide the wrapper, which is reported.
type ssrfGuard struct { // want `ssrfGuard keeps an HTTP transport in ssrfGuard.inner but does not forward CloseIdleConnections to it \| the pool in inner is created here \(http.Transport.Clone\(\), created in newImageFetcher\)`
	inner http.RoundTripper
}

func (g *ssrfGuard) RoundTrip(r *http.Request) (*http.Response, error) { return g.inner.RoundTrip(r) }

type imageFetcher struct{ opts []fetchOption }

func newImageFetcher() *imageFetcher {
	var opts []fetchOption
	t := http.DefaultTransport.(*http.Transport).Clone()
	var rt http.RoundTripper = t
	opts = append(opts, withTransport(&ssrfGuard{inner: rt}))
	return &imageFetcher{opts: opts}
}
