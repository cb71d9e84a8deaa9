package notify

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNotify(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer srv.Close()
	n := New(srv.URL)
	if err := n.Notify("deployed"); err != nil {
		t.Fatal(err)
	}
	if e := <-got; e != "deployed" {
		t.Fatalf("got %q", e)
	}
	// Whatever release method the fix adds, the notifier stays usable
	// until then.
	if c, ok := any(n).(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
