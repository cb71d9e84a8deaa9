package churn

import (
	"net/http"
	"testing"
)

// Test files are not reported by default.
func TestProbe(t *testing.T) {
	for i := 0; i < 3; i++ {
		c := &http.Client{Transport: &http.Transport{}}
		c.Get("http://127.0.0.1:1")
	}
}

func testHandler(w http.ResponseWriter, r *http.Request) {
	c := &http.Client{Transport: &http.Transport{}}
	c.Get("http://upstream")
}

func TestConfigure(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:1", "http://127.0.0.1:2"} {
		configure(u)
	}
}
