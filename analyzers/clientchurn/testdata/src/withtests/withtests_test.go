package withtests

import (
	"net/http"
	"testing"
)

func TestProbe(t *testing.T) {
	for i := 0; i < 3; i++ {
		c := &http.Client{Transport: &http.Transport{}} // want `TestProbe creates a new HTTP transport per call and drops it; create it once and reuse it`
		c.Get("http://127.0.0.1:1")
	}
}
