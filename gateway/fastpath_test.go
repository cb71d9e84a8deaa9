package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

// connectLegacy opens a downstream streamable-HTTP client pinned to the
// newest session-oriented revision (what mcp-proxy's clients and most
// deployed clients speak): the sessions the raw forwarding path serves.
func connectLegacy(t *testing.T, url, token string) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, client.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "legacy", Version: "1"}}}); err != nil {
		t.Fatal(err)
	}
	return c
}

// callIDs records the JSON-RPC ids of the tools/call requests an upstream
// receives: the raw path numbers its calls "gw-N", mcp-go's client with
// integers, so the ids tell which path a call took.
type callIDs struct {
	mu  sync.Mutex
	ids []string
}

func (c *callIDs) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if body, ok := peekBody(r); ok {
				var msg struct {
					ID     json.RawMessage `json:"id"`
					Method string          `json:"method"`
				}
				if json.Unmarshal(body, &msg) == nil && (msg.Method == "tools/call" || msg.Method == "prompts/get") {
					c.mu.Lock()
					c.ids = append(c.ids, string(msg.ID))
					c.mu.Unlock()
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (c *callIDs) raw() (raw, typed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range c.ids {
		if strings.HasPrefix(id, `"gw-`) {
			raw++
		} else {
			typed++
		}
	}
	return raw, typed
}

// The raw path answers exactly what mcp-go's path answers: the echo, a
// tool's own error result, "not found" for a tool the caller may not call,
// and the metrics count the calls the same way. The first call of a
// session takes mcp-go's path (it refreshes mcp-go's idle timer), the
// following plain ones the raw path; stateless clients always mcp-go's.
func TestForwardedToolCall(t *testing.T) {
	var ids callIDs
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = ids.wrap
	alpha.Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, ""))

	c := connectLegacy(t, gw.URL+"/mcp", adminToken)
	for i := range 5 {
		msg := "hello " + strings.Repeat("x", i)
		if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": msg})); got != msg {
			t.Fatalf("echo %d = %q, want %q", i, got, msg)
		}
	}
	if raw, typed := ids.raw(); raw != 4 || typed != 1 {
		t.Fatalf("upstream saw %d raw and %d typed calls, want 4 and 1 (the first of the session)", raw, typed)
	}
	// A tool's own error result passes as a result with isError.
	res := callTool(t, c, "alpha__echo", map[string]any{})
	if !res.IsError {
		t.Fatalf("echo without a message: %+v, want a tool error result", res)
	}
	if n := testutil.ToFloat64(gw.Metrics().Requests.WithLabelValues("alpha", "tool", "alpha__echo", "tool_error")); n != 1 {
		t.Fatalf("tool_error count %v, want 1", n)
	}
	if n := testutil.ToFloat64(gw.Metrics().Requests.WithLabelValues("alpha", "tool", "alpha__echo", "ok")); n != 5 {
		t.Fatalf("ok count %v, want 5", n)
	}

	// The allowlist holds on the raw path: the math token sees only add.
	m := connectLegacy(t, gw.URL+"/mcp", mathToken)
	callTool(t, m, "alpha__add", map[string]any{"a": 1, "b": 2}) // the session's first call
	if got := resultText(callTool(t, m, "alpha__add", map[string]any{"a": 2, "b": 3})); got != "5" {
		t.Fatalf("add = %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "alpha__echo"
	req.Params.Arguments = map[string]any{"message": "x"}
	if res, err := m.CallTool(ctx, req); err == nil && !res.IsError {
		t.Fatalf("math token called echo: %+v", res)
	}

	// prompts/get takes the raw path too, with the same answer.
	before, _ := ids.raw()
	for range 2 {
		res, err := c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: "alpha__greet", Arguments: map[string]string{"name": "ada"}}})
		if err != nil || len(res.Messages) == 0 {
			t.Fatalf("prompt: %+v %v", res, err)
		}
		if tc, ok := mcp.AsTextContent(res.Messages[0].Content); !ok || !strings.Contains(tc.Text, "ada") {
			t.Fatalf("prompt message %+v", res.Messages[0])
		}
	}
	if after, _ := ids.raw(); after != before+2 {
		t.Fatalf("prompts took the raw path %d times, want 2", after-before)
	}
	if _, err := m.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: "alpha__greet", Arguments: map[string]string{"name": "x"}}}); err == nil {
		t.Fatal("math token got a prompt it may not see")
	}

	// A stateless client always takes mcp-go's path.
	before, _ = ids.raw()
	s := connect(t, gw.URL+"/mcp", adminToken)
	for range 3 {
		callTool(t, s, "alpha__echo", map[string]any{"message": "m"})
	}
	if after, _ := ids.raw(); after != before {
		t.Fatalf("stateless calls took the raw path (%d -> %d)", before, after)
	}
}

// With a plugin configured, calls go through the plugin chain (mcp-go's
// path): here a moderation plugin whose endpoint is down fails every call
// before it reaches the upstream, on the raw-eligible session too.
func TestForwardingSkippedWithPlugins(t *testing.T) {
	var ids callIDs
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = ids.wrap
	alpha.Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}},
		`plugins:
  - name: mod
    type: moderation
    config: {endpoint: "http://`+closedAddr(t)+`/moderate"}`))
	c := connectLegacy(t, gw.URL+"/mcp", adminToken)
	for range 3 {
		if res := callTool(t, c, "alpha__echo", map[string]any{"message": "fine"}); !res.IsError || !strings.Contains(resultText(res), "plugin mod failed") {
			t.Fatalf("call skipped the failing plugin: %s", resultText(res))
		}
	}
	if raw, typed := ids.raw(); raw != 0 || typed != 0 {
		t.Fatalf("upstream saw %d raw and %d typed calls, want none", raw, typed)
	}
}

// An upstream that sends a notification while it works answers on an
// event stream; the raw path reads the stream to the response (dropping
// the notification, as mcp-go's client path does).
func TestForwardedToolCallEventStream(t *testing.T) {
	var ids callIDs
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = ids.wrap
	alpha.MCP.AddTool(mcp.NewTool("chatty", mcp.WithString("message")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			srv := mcpserver.ServerFromContext(ctx)
			if err := srv.SendNotificationToClient(ctx, "notifications/message", map[string]any{"level": "info", "data": "working"}); err != nil {
				return nil, err
			}
			return mcp.NewToolResultText("done: " + req.GetString("message", "")), nil
		})
	streamed := false
	var mu sync.Mutex
	wrapped := alpha.Wrap
	alpha.Wrap = func(next http.Handler) http.Handler {
		inner := wrapped(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner.ServeHTTP(w, r)
			if strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") && r.Method == http.MethodPost {
				mu.Lock()
				streamed = true
				mu.Unlock()
			}
		})
	}
	alpha.Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, ""))
	c := connectLegacy(t, gw.URL+"/mcp", adminToken)
	for i := range 3 {
		if got := resultText(callTool(t, c, "alpha__chatty", map[string]any{"message": "m"})); got != "done: m" {
			t.Fatalf("call %d = %q", i, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if raw, _ := ids.raw(); raw != 2 || !streamed {
		t.Fatalf("%d raw calls, event stream answered: %v; want 2 raw calls on a stream", raw, streamed)
	}
}

// A raw call carries what mcp-go's client sends on the session: the
// configured headers and bearer token, the forwarded client headers, the
// session id and protocol version.
func TestForwardedToolCallHeaders(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if body, ok := peekBody(r); ok && strings.Contains(string(body), `"id":"gw-`) {
				mu.Lock()
				seen = append(seen, r.Header.Clone())
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
	alpha.Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http",
		Extra: "    bearer_token: upstream-secret\n    headers: {X-Team: blue}\n    forward_headers: [X-Request-Tag]"}}, ""))

	tr, err := transport.NewStreamableHTTP(gw.URL+"/mcp", transport.WithHTTPHeaders(map[string]string{
		"Authorization": "Bearer " + adminToken, "X-Request-Tag": "t-1"}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, client.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "legacy", Version: "1"}}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "h"})); got != "h" {
			t.Fatalf("echo = %q", got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("%d raw calls, want 2 (the first of the session takes mcp-go's path)", len(seen))
	}
	for _, h := range seen {
		for k, want := range map[string]string{
			"Authorization": "Bearer upstream-secret", "X-Team": "blue", "X-Request-Tag": "t-1",
			"Content-Type": "application/json", "Mcp-Protocol-Version": mcp.LATEST_LEGACY_PROTOCOL_VERSION,
		} {
			if got := h.Values(k); len(got) != 1 || got[0] != want {
				t.Errorf("upstream saw %s: %q, want %q", k, got, want)
			}
		}
		if h.Get("Mcp-Session-Id") == "" {
			t.Error("raw call without the upstream session id")
		}
	}
}
