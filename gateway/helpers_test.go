package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"

	"github.com/churnlint/churnlint/gateway"
	"github.com/churnlint/churnlint/gateway/config"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the stdio demo upstream (stdio_test.go).
	if name := os.Getenv(stdioUpstreamEnv); name != "" {
		serveStdioUpstream(name)
		return
	}
	goleak.VerifyTestMain(m)
}

// Tokens used by the test configs.
const (
	adminToken = "admin-token-0123456789"
	mathToken  = "math-token-0123456789"
	jwtSecret  = "jwt-secret-0123456789-0123456789-abcdef"
)

// baseConfig is a gateway config template; tests append to it. Timings
// are short so failure paths run fast, but generous enough for a loaded
// 2-core machine.
const baseConfig = `
listen: 127.0.0.1:0
max_body_bytes: 4096
shutdown_timeout: 10s
log: {level: debug, format: text}
auth:
  tokens:
    - {name: admin, token: {{.Admin}}}
    - {name: math, token: {{.Math}}, allowed_tools: ["alpha__add"]}
  jwt: {algorithm: HS256, secret: {{.JWT}}, issuer: test-issuer}
upstreams:
{{- range .Upstreams}}
  - name: {{.Name}}
    url: {{.URL}}
    transport: {{.Transport}}
    timeouts: {connect: 5s, call: {{or .CallTimeout "5s"}}, health: 2s}
    health: {interval: {{or .HealthInterval "200ms"}}, failure_threshold: 2}
    reconnect: {initial_backoff: 50ms, max_backoff: 300ms}
{{- if .Extra}}
{{.Extra}}
{{- end}}
{{- end}}
{{.Tail}}
`

type upstreamSpec struct {
	Name, URL, Transport string
	CallTimeout          string
	HealthInterval       string
	Extra                string // indented YAML lines added to the upstream
}

// renderConfig fills baseConfig.
func renderConfig(t *testing.T, ups []upstreamSpec, tail string) *config.Config {
	t.Helper()
	text := renderConfigText(t, ups, tail)
	cfg, err := config.Parse(text)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	return cfg
}

// renderConfigText is renderConfig's YAML, unparsed.
func renderConfigText(t *testing.T, ups []upstreamSpec, tail string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tpl := template.Must(template.New("cfg").Parse(baseConfig))
	if err := tpl.Execute(&buf, map[string]any{
		"Admin": adminToken, "Math": mathToken, "JWT": jwtSecret, "Upstreams": ups, "Tail": tail,
	}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testGateway is a gateway serving on loopback.
type testGateway struct {
	*gateway.Gateway
	URL  string
	logs *syncBuffer
	done chan error
	// uncleanShutdownOK: the test shut down itself and checked the result.
	uncleanShutdownOK bool
}

type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { b := &syncBuffer{mu: make(chan struct{}, 1)}; return b }
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// startGateway builds, starts and serves a gateway, waits until every
// upstream is initialised, and shuts it down at cleanup.
func startGateway(t *testing.T, cfg *config.Config) *testGateway {
	t.Helper()
	tg := startGatewayNoWait(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tg.WaitReady(ctx); err != nil {
		t.Fatalf("upstreams not ready: %v\nlogs:\n%s", err, tg.logs.String())
	}
	return tg
}

// startGatewayNoWait is startGateway without waiting for upstreams.
func startGatewayNoWait(t *testing.T, cfg *config.Config) *testGateway {
	t.Helper()
	return startGatewayWith(t, cfg, gateway.Options{})
}

// startGatewayWith is startGatewayNoWait with options (the logger is the
// test's).
func startGatewayWith(t *testing.T, cfg *config.Config, opts gateway.Options) *testGateway {
	t.Helper()
	logs := newSyncBuffer()
	var w io.Writer = logs
	if testing.Verbose() {
		w = io.MultiWriter(logs, os.Stderr)
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Logger = logger
	g, err := gateway.New(cfg, opts)
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := g.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg := &testGateway{Gateway: g, URL: "http://" + ln.Addr().String(), logs: logs, done: make(chan error, 1)}
	go func() { tg.done <- g.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := g.Shutdown(ctx); err != nil && !tg.uncleanShutdownOK {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-tg.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	})
	return tg
}

// connectSSE opens a downstream legacy HTTP+SSE client.
func connectSSE(t *testing.T, url, token string) *client.Client {
	t.Helper()
	tr, err := transport.NewSSE(url, transport.WithHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, client.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
	// The SSE stream lives on Start's context.
	if err := c.Start(context.Background()); err != nil {
		t.Fatalf("sse start: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "sse-test", Version: "1"}}}); err != nil {
		t.Fatalf("sse initialize: %v", err)
	}
	return c
}

func sseEndpoint(c *client.Client) string { return client.GetEndpoint(c).String() }

// connect opens a downstream mcp-go streamable HTTP client with token.
func connect(t *testing.T, url, token string) *client.Client {
	t.Helper()
	c, err := connectErr(url, token)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func connectErr(url, token string) (*client.Client, error) {
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		return nil, err
	}
	c := client.NewClient(tr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "test", Version: "1"}}}); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

func callTool(t *testing.T, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("CallTool %s: %v", name, err)
	}
	return res
}

func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := mcp.AsTextContent(c); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func toolNames(t *testing.T, c *client.Client) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("ListTools: %v", err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	return names
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rawPost sends body to the gateway as-is.
func rawPost(t *testing.T, url, token string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func mustContain(t *testing.T, haystack, needle string) {
	t.Helper()
	if !strings.Contains(haystack, needle) {
		t.Fatalf("expected %q in:\n%s", needle, haystack)
	}
}

var _ = fmt.Sprintf

// isSleepCall reports a tools/call of the demo's sleep tool, whatever the
// revision the gateway speaks upstream (only the stateless one names the
// tool in a header), and leaves the body readable.
func isSleepCall(r *http.Request) bool {
	body, ok := peekBody(r)
	if !ok {
		return false
	}
	var msg struct {
		Method string `json:"method"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	return json.Unmarshal(body, &msg) == nil && msg.Method == "tools/call" && msg.Params.Name == "sleep"
}

// peekBody reads r's body and puts it back for the next handler.
func peekBody(r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, err == nil
}
