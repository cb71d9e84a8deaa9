package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/churnlint/churnlint/gateway"
	"github.com/churnlint/churnlint/gateway/config"
)

// fakeUpstream is the cheapest MCP server that satisfies the gateway's
// client: canned answers to the handshake, a one-tool catalog and an echo,
// so a benchmark measures the gateway and not an upstream.
func fakeUpstream(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params struct {
				Arguments json.RawMessage `json:"arguments"`
			} `json:"params"`
		}
		if json.Unmarshal(body, &msg) != nil || msg.ID == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		var result string
		switch msg.Method {
		case "initialize":
			w.Header().Set("Mcp-Session-Id", "fake-session")
			result = `{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"fake","version":"1"}}`
		case "tools/list":
			result = `{"tools":[{"name":"echo","inputSchema":{"type":"object","properties":{"message":{"type":"string"}}}}]}`
		case "tools/call":
			var args struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(msg.Params.Arguments, &args)
			text, _ := json.Marshal(args.Message)
			result = `{"content":[{"type":"text","text":` + string(text) + `}]}`
		default:
			result = `{}`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":`+string(msg.ID)+`,"result":`+result+`}`)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// benchGateway starts a gateway (auth on, strict JSON-RPC, admission
// control, no plugins) in front of a fake upstream; requests go straight
// into its handler chain.
func benchGateway(b *testing.B) http.Handler {
	b.Helper()
	up := fakeUpstream(b)
	cfg, err := config.Parse([]byte(`
listen: 127.0.0.1:0
log: {level: error, format: text}
auth:
  tokens:
    - {name: bench, token: ` + adminToken + `}
upstreams:
  - {name: fake, url: ` + up.URL + `/mcp}
`))
	if err != nil {
		b.Fatal(err)
	}
	g, err := gateway.New(cfg, gateway.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Shutdown(context.Background()) })
	if err := g.WaitReady(ctx); err != nil {
		b.Fatal(err)
	}
	return g.Handler()
}

func post(h http.Handler, body string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/mcp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// BenchmarkToolCall is one forwarded tools/call through the whole handler
// chain (auth, host guard, body validation, admission, session check,
// routing, forwarding, metrics) to a fake upstream over loopback HTTP:
// "session" is a client on the session-oriented revision (the raw
// forwarding path), "stateless" one on 2026-07-28 (mcp-go's server and
// client on both legs). Run with -benchmem; see LOADTEST.md.
func BenchmarkToolCall(b *testing.B) {
	h := benchGateway(b)
	call := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fake__echo","arguments":{"message":"bench"}}}`
	want := []byte(`"text":"bench"`)

	b.Run("session", func(b *testing.B) {
		init := post(h, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`, nil)
		sid := init.Header().Get("Mcp-Session-Id")
		if sid == "" {
			b.Fatalf("initialize: %d %s", init.Code, init.Body)
		}
		headers := map[string]string{"Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-11-25"}
		post(h, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, headers)
		post(h, call, headers) // a session's first call takes mcp-go's path
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if rec := post(h, call, headers); rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), want) {
				b.Fatalf("call: %d %s", rec.Code, rec.Body)
			}
		}
	})
	b.Run("stateless", func(b *testing.B) {
		body := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fake__echo","arguments":{"message":"bench"},"_meta":{` +
			`"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},` +
			`"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"}}}}`
		headers := map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "fake__echo"}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if rec := post(h, body, headers); rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), want) {
				b.Fatalf("call: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
