package gateway_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
	"github.com/churnlint/churnlint/gateway/plugin/webhook"
)

// Every call the gateway handled reaches the audit webhook with its
// outcome: allowed, blocked by moderation, redacted, and failed because the
// moderator is down. The pre hook that stops a call used to stop the
// audit too.
func TestAuditEveryCall(t *testing.T) {
	moderator := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Texts []string `json:"texts"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		verdict := map[string]any{"verdict": "allow"}
		for _, s := range req.Texts {
			switch {
			case strings.Contains(s, "crash"):
				http.Error(w, "moderator down", http.StatusServiceUnavailable)
				return
			case strings.Contains(s, "forbidden"):
				verdict = map[string]any{"verdict": "block", "reason": "forbidden word"}
			case strings.Contains(s, "secret"):
				verdict = map[string]any{"verdict": "redact", "texts": []string{strings.ReplaceAll(s, "secret", "[redacted]")}}
			}
		}
		_ = json.NewEncoder(w).Encode(verdict)
	}))
	defer moderator.Close()
	const secret = "webhook-secret-0123456789"
	events := make(chan webhook.Event, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev webhook.Event
		_ = json.Unmarshal(body, &ev)
		events <- ev
	}))
	defer receiver.Close()

	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, fmt.Sprintf(`
plugins:
  - name: mod
    type: moderation
    config: {endpoint: %s, timeout: 5s, check_results: false}
  - name: audit
    type: webhook
    on_error: ignore
    config: {urls: [%s], secret: %s}
`, moderator.URL, receiver.URL, secret)))
	c := connect(t, gw.URL+"/mcp", adminToken)
	for _, msg := range []string{"hello", "a forbidden thing", "my secret", "crash now"} {
		callTool(t, c, "alpha__echo", map[string]any{"message": msg})
	}
	var got []string
	for range 4 {
		select {
		case ev := <-events:
			got = append(got, ev.Outcome)
			if ev.Principal != "admin" || ev.Name != "alpha__echo" {
				t.Errorf("event %+v", ev)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d events delivered (%v), want 4", len(got), got)
		}
	}
	if want := "ok blocked ok plugin_error"; strings.Join(got, " ") != want {
		t.Fatalf("outcomes %v, want %s", got, want)
	}
}
