package churn

import (
	"net/http"
	"testing"
)

// Test files are not reported in (no -tests), so neither is a directive in
// one that suppresses nothing.
func TestProbe(t *testing.T) {
	//churnlint:ignore clientchurn kept for when -tests is on
	c := &http.Client{}
	c.Get("http://example.com")
}
