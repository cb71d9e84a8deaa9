package gateway_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

// mcpRequest sends one streamable-HTTP request with an optional session id
// and returns the response (body read) and its body. GET streams are cut
// after a second: only the status matters.
func mcpRequest(t *testing.T, method, url, token, sessionID, body string) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if method == http.MethodGet {
		var c context.CancelFunc
		ctx, c = context.WithTimeout(ctx, time.Second)
		defer c()
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if sessionID != "" {
		req.Header.Set("Mcp-Session-Id", sessionID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body) // a GET stream ends with the context
	return resp, string(data)
}

// openSession initialises a session for token and returns its id.
func openSession(t *testing.T, url, token string) string {
	t.Helper()
	resp, body := mcpRequest(t, http.MethodPost, url, token, "", initBody)
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("initialize: %d, session %q, body %s", resp.StatusCode, id, body)
	}
	return id
}

const listTools = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

// Streamable-HTTP sessions belong to the principal and server that opened
// them: a made-up, foreign or cross-server id gets 404 on POST, GET and
// DELETE, and only the owner can end a session.
func TestSessionsBoundToPrincipal(t *testing.T) {
	gw := admissionGateway(t, "virtual_servers: [{name: math, tools: [alpha__add]}]")
	url := gw.URL + "/mcp"
	a := openSession(t, url, adminToken)

	if resp, body := mcpRequest(t, http.MethodPost, url, adminToken, a, listTools); resp.StatusCode != http.StatusOK {
		t.Fatalf("owner's call: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		what, method, url, token, id, body string
	}{
		{"made-up id", http.MethodPost, url, adminToken, "mcp-session-0b7c2f9e-2d2f-4c53-a5a8-3c1f4f0d9e11", listTools},
		{"forged id", http.MethodPost, url, adminToken, a[:len(a)-2] + "AA", listTools},
		{"other token POST", http.MethodPost, url, mathToken, a, listTools},
		{"other token GET", http.MethodGet, url, mathToken, a, ""},
		{"other token DELETE", http.MethodDelete, url, mathToken, a, ""},
		{"other server", http.MethodPost, gw.URL + "/servers/math/mcp", adminToken, a, listTools},
	} {
		resp, body := mcpRequest(t, tc.method, tc.url, tc.token, tc.id, tc.body)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %s, want 404", tc.what, resp.StatusCode, body)
		}
	}
	// The foreign DELETE did not end it; the owner's does.
	if resp, body := mcpRequest(t, http.MethodPost, url, adminToken, a, listTools); resp.StatusCode != http.StatusOK {
		t.Fatalf("owner's call after foreign DELETE: %d %s", resp.StatusCode, body)
	}
	if resp, body := mcpRequest(t, http.MethodDelete, url, adminToken, a, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("owner's DELETE: %d %s", resp.StatusCode, body)
	}
	if resp, body := mcpRequest(t, http.MethodPost, url, adminToken, a, listTools); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("call on a deleted session: %d %s, want 404", resp.StatusCode, body)
	}
	// The mcp-go client still works end to end.
	c := connect(t, url, adminToken)
	if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "hi"})); got != "hi" {
		t.Fatalf("echo = %q", got)
	}
}
