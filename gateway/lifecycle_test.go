package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
	"github.com/churnlint/churnlint/gateway/plugin/webhook"
)

// TestGracefulShutdown: calls in flight when shutdown starts all complete
// (over streamable HTTP and over legacy SSE), new connections are refused,
// and Shutdown returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	// The upstream reports each sleep call as it starts, so the test knows
	// every call is in flight before shutting down, without guessing.
	var arrived atomic.Int32
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && isSleepCall(r) {
				arrived.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
	alpha.Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, "")
	gw := startGateway(t, cfg)

	streamClient := connect(t, gw.URL+"/mcp", adminToken)
	sseClient := connectSSE(t, gw.URL+"/sse", adminToken)
	const perClient = 5
	var wg sync.WaitGroup
	results := make(chan string, 2*perClient)
	for _, c := range []*client.Client{streamClient, sseClient} {
		for i := range perClient {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				req := mcp.CallToolRequest{}
				req.Params.Name = "alpha__sleep"
				req.Params.Arguments = map[string]any{"ms": 700 + 10*i}
				res, err := c.CallTool(ctx, req)
				switch {
				case err != nil:
					results <- "error: " + err.Error()
				case res.IsError:
					results <- "tool error: " + resultText(res)
				default:
					results <- resultText(res)
				}
			}()
		}
	}
	eventually(t, 15*time.Second, "all calls in flight upstream", func() bool { return arrived.Load() == 2*perClient })

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := gw.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	wg.Wait()
	close(results)
	n := 0
	for r := range results {
		n++
		if !strings.HasPrefix(r, "slept") {
			t.Errorf("in-flight call lost: %s", r)
		}
	}
	if n != 2*perClient {
		t.Fatalf("%d results, want %d", n, 2*perClient)
	}
	// The listener is closed.
	addr := strings.TrimPrefix(gw.URL, "http://")
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Fatal("gateway still accepts connections after shutdown")
	}
}

// TestPluginsEndToEnd: a moderation plugin blocks and redacts through the
// real request path; a webhook plugin delivers signed events, retrying a
// failing receiver.
func TestPluginsEndToEnd(t *testing.T) {
	moderator := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Direction string   `json:"direction"`
			Texts     []string `json:"texts"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		verdict := map[string]any{"verdict": "allow"}
		for _, s := range req.Texts {
			switch {
			case strings.Contains(s, "forbidden"):
				verdict = map[string]any{"verdict": "block", "reason": "forbidden word"}
			case strings.Contains(s, "secret"):
				out := make([]string, len(req.Texts))
				for i, s := range req.Texts {
					out[i] = strings.ReplaceAll(s, "secret", "[redacted]")
				}
				verdict = map[string]any{"verdict": "redact", "texts": out}
			}
		}
		_ = json.NewEncoder(w).Encode(verdict)
	}))
	defer moderator.Close()

	const secret = "webhook-secret-0123456789"
	var hookCalls atomic.Int32
	events := make(chan webhook.Event, 16)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !webhook.Verify([]byte(secret), r.Header.Get(webhook.HeaderTimestamp), body, r.Header.Get(webhook.HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Fail every first attempt so delivery must retry.
		if hookCalls.Add(1)%2 == 1 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		var ev webhook.Event
		_ = json.Unmarshal(body, &ev)
		events <- ev
	}))
	defer receiver.Close()

	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, fmt.Sprintf(`
plugins:
  - name: mod
    type: moderation
    config: {endpoint: %s, timeout: 5s}
  - name: hooks
    type: webhook
    on_error: ignore
    config: {urls: [%s], secret: %s, initial_backoff: 10ms, max_backoff: 50ms}
`, moderator.URL, receiver.URL, secret))
	gw := startGateway(t, cfg)
	c := connect(t, gw.URL+"/mcp", adminToken)

	res := callTool(t, c, "alpha__echo", map[string]any{"message": "a forbidden thing"})
	if !res.IsError || !strings.Contains(resultText(res), "blocked by plugin mod: forbidden word") {
		t.Fatalf("block: %+v", resultText(res))
	}
	if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "my secret"})); got != "my [redacted]" {
		t.Fatalf("redact: %q", got)
	}
	// The webhook saw both calls, the blocked one too (TestAuditEveryCall
	// covers the outcomes).
	for _, want := range []string{"blocked", "ok"} {
		select {
		case ev := <-events:
			if ev.Type != "tool_call" || ev.Name != "alpha__echo" || ev.Principal != "admin" || ev.Outcome != want {
				t.Fatalf("event = %+v, want outcome %s", ev, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no webhook delivered")
		}
	}
	if hookCalls.Load() < 2 {
		t.Fatalf("webhook was not retried: %d attempts", hookCalls.Load())
	}
}

// TestOperationsEndpoints: /healthz, /readyz and /metrics (request counts,
// latency, pool stats, upstream state).
func TestOperationsEndpoints(t *testing.T) {
	gw, _ := oneUpstreamGateway(t, "")
	c := connect(t, gw.URL+"/mcp", adminToken)
	callTool(t, c, "alpha__echo", map[string]any{"message": "m"})

	get := func(path string) (int, string) {
		resp, err := http.Get(gw.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz %d %q", code, body)
	}
	code, body := get("/readyz")
	if code != 200 {
		t.Fatalf("readyz %d %s", code, body)
	}
	mustContain(t, body, `"ready":true`)
	mustContain(t, body, `{"name":"alpha","up":true,"initialised":true}`)

	_, metrics := get("/metrics")
	for _, want := range []string{
		`mcp_gateway_requests_total{kind="tool",name="alpha__echo",outcome="ok",upstream="alpha"} 1`,
		`mcp_gateway_request_duration_seconds_count{kind="tool",name="alpha__echo",upstream="alpha"} 1`,
		`mcp_gateway_upstream_up{upstream="alpha"} 1`,
		`mcp_gateway_pool_connections_opened_total{transport="shared"}`,
		`mcp_gateway_pool_connections_reused_total{transport="shared"}`,
		`mcp_gateway_pool_connections_idle{transport="shared"}`,
		`mcp_gateway_http_requests_total{code="200",route="mcp"}`,
	} {
		mustContain(t, metrics, want)
	}
}
