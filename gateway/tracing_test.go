package gateway_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/churnlint/churnlint/gateway"
	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
	"github.com/churnlint/churnlint/gateway/tracing"
)

// headerRecorder keeps the traceparent of every request an upstream got.
type headerRecorder struct {
	mu     sync.Mutex
	parent []string
}

func (h *headerRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tp := r.Header.Get("traceparent"); tp != "" {
			h.mu.Lock()
			h.parent = append(h.parent, tp)
			h.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (h *headerRecorder) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.parent...)
}

// connectWithHeaders opens a downstream session whose every request
// carries headers.
func connectWithHeaders(t *testing.T, url string, headers map[string]string) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(headers))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	ctx, cancel := contextWithTimeout(10 * time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "trace-test", Version: "1"}}}); err != nil {
		t.Fatal(err)
	}
	return c
}

func attr(s tracetest.SpanStub, key attribute.Key) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value.String()
		}
	}
	return ""
}

// TestTracingOneToolCall: the client's traceparent is continued by the
// downstream request span; the proxied call has its own span with the MCP
// attributes; the upstream HTTP request is a child span, and the upstream
// receives a traceparent of the same trace naming that span. The pool
// under the tracing wrapper is still released at shutdown.
func TestTracingOneToolCall(t *testing.T) {
	var rec headerRecorder
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = rec.wrap
	alpha.Start()
	exp := tracetest.NewInMemoryExporter()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: alpha.Transport}}, "")
	g := startGatewayWith(t, cfg, gateway.Options{Tracing: tracing.Options{Exporter: exp}})
	ctx, cancel := contextWithTimeout(20 * time.Second)
	defer cancel()
	if err := g.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	const callerSpan = "00f067aa0ba902b7"
	c := connectWithHeaders(t, g.URL+"/mcp", map[string]string{
		"Authorization": "Bearer " + adminToken,
		"traceparent":   "00-" + traceID + "-" + callerSpan + "-01",
	})
	exp.Reset()
	before := len(rec.seen())
	if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "traced"})); got != "traced" {
		t.Fatalf("echo: %q", got)
	}

	var server, call, upstreamHTTP *tracetest.SpanStub
	eventually(t, 5*time.Second, "the call's spans", func() bool {
		spans := exp.GetSpans()
		server, call, upstreamHTTP = nil, nil, nil
		for i := range spans {
			s := &spans[i]
			switch {
			case s.Name == "tools/call alpha__echo":
				call = s
			case s.SpanKind == trace.SpanKindServer && attr(*s, tracing.AttrMethod) == "tools/call":
				server = s
			}
		}
		for i := range spans {
			if s := &spans[i]; call != nil && s.SpanKind == trace.SpanKindClient && s.Parent.SpanID() == call.SpanContext.SpanID() {
				upstreamHTTP = s
			}
		}
		return server != nil && call != nil && upstreamHTTP != nil
	})
	if server.SpanContext.TraceID().String() != traceID || server.Parent.SpanID().String() != callerSpan || !server.Parent.IsRemote() {
		t.Fatalf("downstream span does not continue the caller's trace: trace %s parent %s", server.SpanContext.TraceID(), server.Parent.SpanID())
	}
	if server.Name != "POST /mcp" || attr(*server, tracing.AttrPrincipal) != "admin" {
		t.Errorf("downstream span %q principal %q", server.Name, attr(*server, tracing.AttrPrincipal))
	}
	if call.Parent.SpanID() != server.SpanContext.SpanID() || call.SpanKind != trace.SpanKindClient {
		t.Errorf("call span is not the downstream span's child client span")
	}
	for key, want := range map[attribute.Key]string{
		tracing.AttrMethod: "tools/call", tracing.AttrTool: "alpha__echo", tracing.AttrTarget: "echo",
		tracing.AttrUpstream: "alpha", tracing.AttrPrincipal: "admin", tracing.AttrOutcome: "ok",
	} {
		if got := attr(*call, key); got != want {
			t.Errorf("call span %s = %q, want %q", key, got, want)
		}
	}
	// The upstream got the trace, with the HTTP span as its parent.
	want := "00-" + traceID + "-" + upstreamHTTP.SpanContext.SpanID().String() + "-01"
	found := false
	for _, tp := range rec.seen()[before:] {
		found = found || tp == want
	}
	if !found {
		t.Fatalf("upstream never received traceparent %s; got %v", want, rec.seen()[before:])
	}

	// Released through the wrapper at shutdown.
	sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer scancel()
	if err := g.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "upstream connections closed at shutdown", func() bool { return alpha.Conns.Open() == 0 })
}

// TestTracingOffPropagatesNothing: without tracing, no span context is
// made up and the client's traceparent is not forwarded upstream.
func TestTracingOffPropagatesNothing(t *testing.T) {
	var rec headerRecorder
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = rec.wrap
	alpha.Start()
	g := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: alpha.Transport}}, ""))
	c := connectWithHeaders(t, g.URL+"/mcp", map[string]string{
		"Authorization": "Bearer " + adminToken,
		"traceparent":   "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	})
	callTool(t, c, "alpha__echo", map[string]any{"message": "x"})
	if got := rec.seen(); len(got) != 0 {
		t.Fatalf("tracing off, yet the upstream got traceparent %v", got)
	}
}
