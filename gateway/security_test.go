package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

func signJWT(t *testing.T, claims jwt.MapClaims, secret string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func oneUpstreamGateway(t *testing.T, tail string) (*testGateway, *upstreamtest.Upstream) {
	t.Helper()
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, tail)
	return startGateway(t, cfg), alpha
}

// TestAuth: no token, wrong token and bad JWTs get 401; a valid JWT works;
// a per-token allowlist hides and blocks other tools.
func TestAuth(t *testing.T) {
	gw, _ := oneUpstreamGateway(t, "")
	url := gw.URL + "/mcp"
	init := []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)

	now := time.Now()
	bad := map[string]string{
		"missing":       "",
		"wrong static":  "not-a-real-token-at-all",
		"wrong secret":  signJWT(t, jwt.MapClaims{"sub": "x", "iss": "test-issuer", "exp": now.Add(time.Hour).Unix()}, "another-secret-0123456789-0123456789"),
		"expired":       signJWT(t, jwt.MapClaims{"sub": "x", "iss": "test-issuer", "exp": now.Add(-time.Hour).Unix()}, jwtSecret),
		"wrong issuer":  signJWT(t, jwt.MapClaims{"sub": "x", "iss": "evil", "exp": now.Add(time.Hour).Unix()}, jwtSecret),
		"no exp":        signJWT(t, jwt.MapClaims{"sub": "x", "iss": "test-issuer"}, jwtSecret),
		"no sub":        signJWT(t, jwt.MapClaims{"iss": "test-issuer", "exp": now.Add(time.Hour).Unix()}, jwtSecret),
		"alg none":      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwiaXNzIjoidGVzdC1pc3N1ZXIiLCJleHAiOjQxMDI0NDQ4MDB9.",
		"garbage three": "a.b.c",
	}
	for name, token := range bad {
		t.Run(name, func(t *testing.T) {
			resp, body := rawPost(t, url, token, init)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, body %s", resp.StatusCode, body)
			}
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("missing WWW-Authenticate: %v", resp.Header)
			}
			mustContain(t, string(body), `"code":-32001`)
		})
	}
	// The mcp-go client surfaces the 401 as an error.
	if _, err := connectErr(url, "nope-nope-nope-nope"); err == nil {
		t.Fatal("client with a wrong token connected")
	}

	// A valid JWT with a tools claim restricts what it sees.
	token := signJWT(t, jwt.MapClaims{"sub": "robot", "iss": "test-issuer", "exp": now.Add(time.Hour).Unix(), "tools": []string{"alpha__echo"}}, jwtSecret)
	c := connect(t, url, token)
	if got := toolNames(t, c); !slices.Equal(got, []string{"alpha__echo"}) {
		t.Fatalf("jwt tools = %v", got)
	}
	if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "jwt"})); got != "jwt" {
		t.Fatalf("echo = %q", got)
	}

	// The static "math" token may only use alpha__add.
	m := connect(t, url, mathToken)
	if got := toolNames(t, m); !slices.Equal(got, []string{"alpha__add"}) {
		t.Fatalf("math tools = %v", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "alpha__echo"
	req.Params.Arguments = map[string]any{"message": "sneaky"}
	if _, err := m.CallTool(ctx, req); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("disallowed call: err = %v", err)
	}
}

// TestRequestValidation: malformed JSON, invalid JSON-RPC and oversized
// bodies are answered with proper JSON-RPC errors and never reach mcp-go.
func TestRequestValidation(t *testing.T) {
	gw, _ := oneUpstreamGateway(t, "")
	url := gw.URL + "/mcp"
	cases := []struct {
		name   string
		body   string
		status int
		code   int
	}{
		{"not json", `{"jsonrpc":"2.0",`, 400, -32700},
		{"empty", ``, 400, -32700},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, 400, -32600},
		{"wrong version", `{"jsonrpc":"1.0","id":1,"method":"ping"}`, 400, -32600},
		{"no method", `{"jsonrpc":"2.0","id":1}`, 400, -32600},
		{"bad id", `{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}`, 400, -32600},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"ping"}`, 400, -32600},
		{"params array", `{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}`, 400, -32600},
		{"unknown member", `{"jsonrpc":"2.0","id":1,"method":"ping","extra":true}`, 400, -32600},
		{"oversized", `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 5000) + `"}}`, 413, -32600},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawPost(t, url, adminToken, []byte(tc.body))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (body %s)", resp.StatusCode, tc.status, body)
			}
			var msg struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   struct{ Code int }
			}
			if err := json.Unmarshal(body, &msg); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if msg.JSONRPC != "2.0" || msg.Error.Code != tc.code {
				t.Fatalf("got %s", body)
			}
		})
	}
	// An invalid request with a recoverable id is answered on that id.
	_, body := rawPost(t, url, adminToken, []byte(`{"jsonrpc":"2.0","id":"abc","method":""}`))
	mustContain(t, string(body), `"id":"abc"`)
}

// TestRateLimit: a token over its budget gets 429 with Retry-After.
func TestRateLimit(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, "")
	cfg.Auth.RateLimit.RequestsPerSecond = 0.001
	cfg.Auth.RateLimit.Burst = 3
	gw := startGateway(t, cfg)
	ping := []byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
	limited := 0
	for range 6 {
		resp, body := rawPost(t, gw.URL+"/mcp", adminToken, ping)
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
			mustContain(t, string(body), `"code":-32029`)
		}
	}
	if limited != 3 {
		t.Fatalf("limited %d of 6 requests, want 3", limited)
	}
	// Another principal has its own bucket.
	resp, _ := rawPost(t, gw.URL+"/mcp", mathToken, ping)
	if resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("rate limit leaked across tokens")
	}
}
