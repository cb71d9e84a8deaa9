package reports

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "report")
	}))
	defer up.Close()
	Upstream = up.URL
	for i := 0; i < 3; i++ {
		rec := httptest.NewRecorder()
		Handler(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != 200 || rec.Body.String() != "report" {
			t.Fatalf("got %d %q", rec.Code, rec.Body.String())
		}
	}
}
