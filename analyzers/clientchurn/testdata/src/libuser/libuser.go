// Package libuser calls lib per request: the findings name the chain
// across the package boundary.
package libuser

import (
	"net/http"

	"lib"
)

func fetchHandler(w http.ResponseWriter, r *http.Request) {
	lib.Fetch("http://upstream") // want `fetchHandler creates a new HTTP transport per call and drops it; create it once and reuse it`
}

// fetchAgain reaches the same pool through the same helper: it is one
// finding, fetchHandler's, with this chain as related information.
func fetchAgain(w http.ResponseWriter, r *http.Request) {
	lib.Fetch("http://other")
}

func clientHandler(w http.ResponseWriter, r *http.Request) {
	c := lib.NewClient() // want `clientHandler creates a new HTTP transport per call and drops it; create it once and reuse it`
	c.Get("http://upstream")
}

func wrapHandler(w http.ResponseWriter, r *http.Request) {
	rt := lib.Wrap(&http.Transport{}) // want `wrapHandler creates a new HTTP transport per call and drops it`
	rt.RoundTrip(r)
}

// Register keeps the pool: quiet.
func registerHandler(w http.ResponseWriter, r *http.Request) {
	lib.Register(&http.Transport{})
}

// An owner created per request and closed: churn, no leak.
func ownerHandler(w http.ResponseWriter, r *http.Request) {
	c := lib.New() // want `ownerHandler creates a new HTTP transport per call and closes it; create it once and reuse it`
	defer c.Close()
	c.Get("http://upstream")
}

// At startup, lib's constructors are fine.
var shared = lib.NewClient()

func sharedHandler(w http.ResponseWriter, r *http.Request) {
	shared.Get("http://upstream")
}

// The churn inside lib.Watch is reported in lib: not again here.
func watchHandler(w http.ResponseWriter, r *http.Request) {
	lib.Watch([]string{"http://upstream"})
}

func searchHandler(w http.ResponseWriter, r *http.Request) {
	c := lib.NewSearchClient(nil) // want `searchHandler creates a new HTTP transport per call and drops it; create it once and reuse it`
	c.Get("http://search")
}

// A reconciler reaches lib's churn through a function-typed field set to
// it, and through an interface lib's Actor implements (kcm).
type reconciler struct {
	download   func(string) error
	downloader interface{ Download(string) error }
}

func newReconciler() *reconciler {
	return &reconciler{download: lib.Download, downloader: &lib.Actor{}}
}

func (r *reconciler) Reconcile() error {
	if err := r.download("http://chart"); err != nil { // want `reconciler.Reconcile creates a new HTTP transport per call and drops it; create it once and reuse it`
		return err
	}
	return r.downloader.Download("http://other")
}
