package probes

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProbes(t *testing.T) {
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer up.Close()
	p := Insecure(up.URL)
	roots := up.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	h := newChecker(up.URL, roots)
	for i := 0; i < 3; i++ {
		if err := p.Collect(); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("checker: got %d", rec.Code)
		}
	}
	// Whatever release method the fix adds, both stay usable until then.
	for _, v := range []any{p, h} {
		if c, ok := v.(interface{ Close() error }); ok {
			c.Close()
		}
	}
}
