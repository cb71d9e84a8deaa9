package moderation

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/metrics"
	"github.com/churnlint/churnlint/gateway/plugin"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// moderator redacts "secret", blocks "forbidden", fails on "explode".
func moderator(t *testing.T) (*httptest.Server, *[]request) {
	var mu sync.Mutex
	var seen []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer mod-token" {
			http.Error(w, "unauthorized", 401)
			return
		}
		var req request
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		seen = append(seen, req)
		mu.Unlock()
		res := response{Verdict: "allow"}
		for _, s := range req.Texts {
			switch {
			case strings.Contains(s, "explode"):
				http.Error(w, "oops", 500)
				return
			case strings.Contains(s, "forbidden"):
				res = response{Verdict: "block", Reason: "policy"}
			case strings.Contains(s, "secret") && res.Verdict == "allow":
				res.Verdict = "redact"
			}
		}
		if res.Verdict == "redact" {
			for _, s := range req.Texts {
				res.Texts = append(res.Texts, strings.ReplaceAll(s, "secret", "***"))
			}
		}
		_ = json.NewEncoder(w).Encode(res)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func newPlugin(t *testing.T, yml string) *Plugin {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(yml), &node); err != nil {
		t.Fatal(err)
	}
	p, err := New("mod", node.Content[0], plugin.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

func TestArguments(t *testing.T) {
	srv, seen := moderator(t)
	p := newPlugin(t, "endpoint: "+srv.URL+"\nbearer_token: mod-token\n")
	ctx := context.Background()
	call := &plugin.Call{Kind: plugin.KindTool, Name: "u__t", Upstream: "u", Principal: "alice",
		Arguments: map[string]any{"b": "my secret", "a": []any{"x", 1.0, map[string]any{"k": "secret too"}}}}

	v, err := p.PreCall(ctx, call)
	if err != nil || v.Action != plugin.Modify {
		t.Fatalf("redact: %+v %v", v, err)
	}
	want := map[string]any{"b": "my ***", "a": []any{"x", 1.0, map[string]any{"k": "*** too"}}}
	if got, _ := json.Marshal(v.Arguments); string(got) != mustJSON(want) {
		t.Fatalf("redacted args = %s", got)
	}
	if call.Arguments["b"] != "my secret" {
		t.Fatal("original arguments mutated")
	}
	if r := (*seen)[0]; r.Direction != "input" || r.Principal != "alice" || len(r.Texts) != 3 {
		t.Fatalf("request = %+v", r)
	}

	call.Arguments = map[string]any{"m": "forbidden"}
	if v, err := p.PreCall(ctx, call); err != nil || v.Action != plugin.Block || v.Reason != "policy" {
		t.Fatalf("block: %+v %v", v, err)
	}
	call.Arguments = map[string]any{"m": "explode"}
	if _, err := p.PreCall(ctx, call); err == nil {
		t.Fatal("endpoint failure not reported")
	}
	// Resources are not moderated by default.
	if v, err := p.PreCall(ctx, &plugin.Call{Kind: plugin.KindResource, Arguments: map[string]any{"m": "forbidden"}}); err != nil || v.Action != plugin.Allow {
		t.Fatalf("resource: %+v %v", v, err)
	}
}

func TestResults(t *testing.T) {
	srv, _ := moderator(t)
	p := newPlugin(t, "endpoint: "+srv.URL+"\nbearer_token: mod-token\nkinds: [tool, resource, prompt]\ncheck_arguments: false\n")
	ctx := context.Background()
	res := &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent("the secret is 42"), mcp.NewImageContent("aGk=", "image/png")},
		StructuredContent: map[string]any{"answer": "secret"},
	}
	v, err := p.PostCall(ctx, &plugin.Call{Kind: plugin.KindTool}, &plugin.Outcome{Tool: res})
	if err != nil || v.Action != plugin.Modify {
		t.Fatalf("%+v %v", v, err)
	}
	tc, _ := mcp.AsTextContent(v.Outcome.Tool.Content[0])
	if tc.Text != "the *** is 42" || v.Outcome.Tool.StructuredContent.(map[string]any)["answer"] != "***" {
		t.Fatalf("redacted = %+v", v.Outcome.Tool)
	}
	if _, ok := mcp.AsImageContent(v.Outcome.Tool.Content[1]); !ok {
		t.Fatal("non-text content lost")
	}
	orig, _ := mcp.AsTextContent(res.Content[0])
	if orig.Text != "the secret is 42" {
		t.Fatal("original result mutated")
	}

	read := []mcp.ResourceContents{mcp.TextResourceContents{URI: "x://y", Text: "forbidden"}}
	if v, _ := p.PostCall(ctx, &plugin.Call{Kind: plugin.KindResource}, &plugin.Outcome{Resource: read}); v.Action != plugin.Block {
		t.Fatalf("resource block: %+v", v)
	}
	prompt := &mcp.GetPromptResult{Messages: []mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("a secret"))}}
	v, _ = p.PostCall(ctx, &plugin.Call{Kind: plugin.KindPrompt}, &plugin.Outcome{Prompt: prompt})
	if tc, _ := mcp.AsTextContent(v.Outcome.Prompt.Messages[0].Content); tc == nil || tc.Text != "a ***" {
		t.Fatalf("prompt redact: %+v", v)
	}
	// check_arguments: false
	if v, _ := p.PreCall(ctx, &plugin.Call{Kind: plugin.KindTool, Arguments: map[string]any{"m": "forbidden"}}); v.Action != plugin.Allow {
		t.Fatal("arguments checked although disabled")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, yml := range []string{"endpoint: ftp://x", "endpoint: http://x\nunknown: 1", "endpoint: http://x\nkinds: [tools]"} {
		t.Run(yml, func(t *testing.T) {
			var node yaml.Node
			_ = yaml.Unmarshal([]byte(yml), &node)
			p, err := New("m", node.Content[0], plugin.Deps{Logger: slog.Default(), Metrics: metrics.New()})
			if err == nil {
				_ = p.Shutdown(context.Background())
				t.Errorf("%q accepted", yml)
			}
		})
	}
}

// TestShutdownReleasesConnections: the plugin reuses one connection and
// Shutdown closes it.
func TestShutdownReleasesConnections(t *testing.T) {
	var mu sync.Mutex
	closed, opened := 0, 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"verdict":"allow"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			opened++
		case http.StateClosed:
			closed++
		}
	}
	srv.Start()
	defer srv.Close()
	p := newPlugin(t, "endpoint: "+srv.URL+"\n")
	for range 5 {
		if _, err := p.PreCall(context.Background(), &plugin.Call{Kind: plugin.KindTool, Arguments: map[string]any{"m": "hi"}}); err != nil {
			t.Fatal(err)
		}
	}
	_ = p.Shutdown(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		o, c := opened, closed
		mu.Unlock()
		if o == 1 && c == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("opened %d closed %d", o, c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
