package gateway_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

// rawRequest writes a POST /mcp with the given Authorization header and
// Content-Length but only the first part of the body, then waits for the
// response without sending the rest. It returns the response and how long
// it took.
func rawRequest(t *testing.T, addr, authz string, contentLength int, partial string) (*http.Response, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	head := "POST /mcp HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
	if authz != "" {
		head += "Authorization: " + authz + "\r\n"
	}
	head += fmt.Sprintf("Content-Length: %d\r\n\r\n%s", contentLength, partial)
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response after %s: %v", time.Since(start), err)
	}
	resp.Body.Close()
	return resp, time.Since(start)
}

func admissionGateway(t *testing.T, tail string) *testGateway {
	t.Helper()
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Start()
	return startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, tail))
}

// Credentials are checked from the headers alone: a request without a
// valid token is refused at once even if its body never arrives, and an
// authenticated body must arrive within http.read_body_timeout.
func TestAuthBeforeBodyAndBodyTimeout(t *testing.T) {
	gw := admissionGateway(t, "http: {read_body_timeout: 1s}")
	addr := strings.TrimPrefix(gw.URL, "http://")

	for _, tc := range []struct{ name, authz string }{{"no token", ""}, {"wrong token", "Bearer wrong-token-0123456789"}} {
		resp, took := rawRequest(t, addr, tc.authz, 100, "")
		if resp.StatusCode != http.StatusUnauthorized || took > 2*time.Second {
			t.Errorf("%s, body never sent: %d after %s, want 401 at once", tc.name, resp.StatusCode, took)
		}
		if !resp.Close {
			t.Errorf("%s: connection kept open with the body unread", tc.name)
		}
	}
	resp, took := rawRequest(t, addr, "Bearer "+adminToken, 100, `{"jsonrpc":`)
	if resp.StatusCode != http.StatusRequestTimeout || took < 900*time.Millisecond || took > 5*time.Second {
		t.Fatalf("valid token, trickled body: %d after %s, want 408 after about 1s", resp.StatusCode, took)
	}
	// A normal call still works (the deadline is lifted once the body is in).
	c := connect(t, gw.URL+"/mcp", adminToken)
	if got := resultText(callTool(t, c, "alpha__sleep", map[string]any{"ms": 1500})); !strings.HasPrefix(got, "slept") {
		t.Fatalf("call outliving the body deadline: %q", got)
	}
}

// One client IP cannot hold more than http.max_conns_per_ip connections.
func TestMaxConnsPerIP(t *testing.T) {
	gw := admissionGateway(t, "http: {max_conns_per_ip: 3}")
	addr := strings.TrimPrefix(gw.URL, "http://")
	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// Closed once accepted: the read ends with EOF (or a reset), not a
	// timeout.
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	_ = extra.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = extra.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); err == nil || ok && ne.Timeout() {
		t.Fatalf("fourth connection from one IP was kept open (read: %v)", err)
	}
	for _, c := range held {
		c.Close()
	}
	// Slots are released when connections close.
	eventually(t, 5*time.Second, "a slot to free up", func() bool {
		resp, err := http.Get(gw.URL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// Failed authentications are rate-limited per client IP: once the bucket
// is empty, the IP is refused 429 before its credentials are checked, so
// guessing stops even with a valid token in the mix.
func TestUnauthenticatedRateLimit(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, "")
	cfg.Auth.UnauthenticatedRateLimit.RequestsPerSecond = 0.01
	cfg.Auth.UnauthenticatedRateLimit.Burst = 3
	gw := startGateway(t, cfg)
	ping := []byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
	for i := range 3 {
		if resp, _ := rawPost(t, gw.URL+"/mcp", "wrong-token-0123456789", ping); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i, resp.StatusCode)
		}
	}
	resp, _ := rawPost(t, gw.URL+"/mcp", "wrong-token-0123456789", ping)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth failure: %d (Retry-After %q), want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := rawPost(t, gw.URL+"/mcp", adminToken, ping); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("valid token from a locked-out IP: %d, want 429", resp.StatusCode)
	}
}
