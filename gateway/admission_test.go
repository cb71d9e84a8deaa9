package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/prometheus/client_golang/prometheus/testutil"

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

// overloadedPost sends a tools/call of alpha__echo over the stateless
// revision (no session needed) and returns the response, its body and how
// long it took.
func overloadedPost(t *testing.T, url string) (*http.Response, []byte, time.Duration) {
	t.Helper()
	body := []byte(`{"jsonrpc":"2.0","id":"probe-7","method":"tools/call","params":{"name":"alpha__echo","arguments":{"message":"m"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "alpha__echo")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data, time.Since(start)
}

// Beyond its bound, the gateway refuses at once: HTTP 503, Retry-After, a
// JSON-RPC error, counted by scope; the calls admitted before are
// unaffected. Both scopes: the gateway's admission.max_in_flight (refused
// before the body is read, so without the request's id, and even when the
// body never comes; an unauthenticated caller still gets 401) and an
// upstream's max_in_flight (after routing: against the request's id).
// The CPU bound is off here (its own tests: governor_test.go): on a busy
// machine it would refuse first, with reason "cpu".
func TestAdmissionRefusesBeyondTheBound(t *testing.T) {
	for _, tc := range []struct {
		name, scope, upstream, message, id string
		extra, tail                        string
	}{
		{"gateway", "gateway", "", "the gateway is at capacity", "", "", "admission: {max_in_flight: 2, max_queue: 1, queue_timeout: 100ms, retry_after: 3s, max_sched_latency: -1s}"},
		{"upstream", "upstream", "alpha", "upstream alpha is at capacity", "probe-7", "    max_in_flight: 2", "admission: {max_queue: 1, queue_timeout: 100ms, retry_after: 3s, max_sched_latency: -1s}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
			alpha.Start()
			gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http", CallTimeout: "20s", Extra: tc.extra}}, tc.tail))
			c := connect(t, gw.URL+"/mcp", adminToken)

			// Two slow calls take both slots, a third waits in the queue
			// (its 100ms pass, then it is refused as well).
			results := make(chan string, 2)
			for range 2 {
				go func() {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					req := mcp.CallToolRequest{}
					req.Params.Name, req.Params.Arguments = "alpha__sleep", map[string]any{"ms": 2500}
					res, err := c.CallTool(ctx, req)
					if err != nil {
						results <- err.Error()
						return
					}
					results <- resultText(res)
				}()
			}
			inFlight := gw.Metrics().AdmissionInFlight.WithLabelValues(tc.scope, tc.upstream)
			eventually(t, 10*time.Second, "two calls admitted", func() bool { return testutil.ToFloat64(inFlight) == 2 })

			resp, data, took := overloadedPost(t, gw.URL+"/mcp")
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "3" {
				t.Fatalf("over the bound: %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), data)
			}
			if took > 2*time.Second {
				t.Fatalf("refusal took %s: it queued behind the slow calls", took)
			}
			var answer struct {
				ID    string `json:"id"`
				Error struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(data, &answer); err != nil || answer.ID != tc.id || answer.Error.Code != -32030 || !strings.Contains(answer.Error.Message, tc.message) {
				t.Fatalf("refusal body %s (%v)", data, err)
			}
			rejected := testutil.ToFloat64(gw.Metrics().AdmissionRejected.WithLabelValues(tc.scope, tc.upstream, "timeout")) +
				testutil.ToFloat64(gw.Metrics().AdmissionRejected.WithLabelValues(tc.scope, tc.upstream, "full"))
			if rejected != 1 {
				t.Fatalf("rejections counted: %v, want 1", rejected)
			}
			if tc.scope == "gateway" {
				addr := strings.TrimPrefix(gw.URL, "http://")
				if resp, took := rawRequest(t, addr, "Bearer "+adminToken, 100, ""); resp.StatusCode != http.StatusServiceUnavailable || took > 2*time.Second {
					t.Fatalf("at capacity, body never sent: %d after %s, want 503 at once", resp.StatusCode, took)
				}
				if resp, _ := rawRequest(t, addr, "", 100, ""); resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("at capacity, no token: %d, want 401 (auth comes first)", resp.StatusCode)
				}
				// The probe finds the queue unable to clear (nothing given
				// back since the first refusal): refused at once, "wait".
				refused := testutil.ToFloat64(gw.Metrics().AdmissionRejected.WithLabelValues(tc.scope, tc.upstream, "timeout")) +
					testutil.ToFloat64(gw.Metrics().AdmissionRejected.WithLabelValues(tc.scope, tc.upstream, "full")) +
					testutil.ToFloat64(gw.Metrics().AdmissionRejected.WithLabelValues(tc.scope, tc.upstream, "wait"))
				if refused != 2 {
					t.Fatalf("rejections counted after the body-less probe: %v, want 2 (the unauthenticated one is not)", refused)
				}
			}
			for range 2 {
				if got := <-results; !strings.HasPrefix(got, "slept") {
					t.Fatalf("an admitted call: %q", got)
				}
			}
			// Slots are released: the same request passes now.
			if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "again"})); got != "again" {
				t.Fatalf("after the slow calls: %q", got)
			}
		})
	}
}

// A request's queue budget (admission.queue_timeout) is one, shared by the
// gateway's queue and the upstream's: a call that spent part of it waiting
// for a gateway slot waits for an upstream slot only as long as it has
// left, so no refusal is held longer than queue_timeout in queues.
// Ordering, not timing, with a 4 s budget and margins of a second: A holds
// alpha's one slot for 5 s, X the gateway's other slot (on beta) for 2 s;
// C, a call to alpha, waits for X's gateway slot (2 s), then has 2 s left
// for alpha's queue and must be refused at about 4 s, while A still runs.
// With the budget restarted per scope it would wait in alpha's queue until
// A ends at 5 s and be served.
func TestQueueBudgetIsSharedBetweenScopes(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Start()
	beta := upstreamtest.New(t, "beta", upstreamtest.Streamable)
	beta.Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{
		{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http", CallTimeout: "20s", Extra: "    max_in_flight: 1"},
		{Name: "beta", URL: beta.URL(), Transport: "streamable-http", CallTimeout: "20s"},
	}, "admission: {max_in_flight: 2, max_queue: 1, queue_timeout: 4s, max_sched_latency: -1s}"))
	c := connect(t, gw.URL+"/mcp", adminToken)

	sleep := func(tool string, ms int, done chan<- string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = tool, map[string]any{"ms": ms}
		res, err := c.CallTool(ctx, req)
		if err != nil {
			done <- err.Error()
			return
		}
		done <- resultText(res)
	}
	aDone, xDone := make(chan string, 1), make(chan string, 1)
	go sleep("alpha__sleep", 5000, aDone)
	alphaSlots := gw.Metrics().AdmissionInFlight.WithLabelValues("upstream", "alpha")
	eventually(t, 10*time.Second, "A holding alpha's slot", func() bool { return testutil.ToFloat64(alphaSlots) == 1 })
	go sleep("beta__sleep", 2000, xDone)
	gatewaySlots := gw.Metrics().AdmissionInFlight.WithLabelValues("gateway", "")
	eventually(t, 10*time.Second, "X holding the gateway's other slot", func() bool { return testutil.ToFloat64(gatewaySlots) == 2 })

	resp, data, _ := overloadedPost(t, gw.URL+"/mcp") // C: alpha__echo
	select {
	case got := <-aDone:
		t.Fatalf("A ended (%q) before C was answered (%d %s): C waited in a second queue", got, resp.StatusCode, data)
	default:
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(data), "upstream alpha is at capacity") {
		t.Fatalf("C: %d %s, want alpha's refusal", resp.StatusCode, data)
	}
	if got := <-xDone; !strings.HasPrefix(got, "slept") {
		t.Fatalf("X: %q", got)
	}
	if got := <-aDone; !strings.HasPrefix(got, "slept") {
		t.Fatalf("A: %q", got)
	}
	if n := testutil.ToFloat64(gw.Metrics().AdmissionRejected.WithLabelValues("upstream", "alpha", "timeout")); n != 1 {
		t.Fatalf("alpha's refusals counted as timeout: %v, want 1 (C)", n)
	}
}
