package gateway_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

const sessionSecret = "scale-out-session-secret-0123456789"

// roundRobin is an L7 load balancer on loopback: each request goes to the
// next replica, with no affinity. It counts what each replica got.
type roundRobin struct {
	URL     string
	targets []*url.URL
	next    atomic.Uint64
	served  []atomic.Int64 // requests per replica
	withSID []atomic.Int64 // of those, requests carrying a session id
}

func newRoundRobin(t *testing.T, replicas ...string) *roundRobin {
	t.Helper()
	rr := &roundRobin{served: make([]atomic.Int64, len(replicas)), withSID: make([]atomic.Int64, len(replicas))}
	for _, r := range replicas {
		u, err := url.Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		rr.targets = append(rr.targets, u)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 32}
	proxy := &httputil.ReverseProxy{
		Transport:     tr,
		FlushInterval: -1, // event streams pass through at once
		Rewrite: func(pr *httputil.ProxyRequest) {
			i := int((rr.next.Add(1) - 1) % uint64(len(rr.targets)))
			rr.served[i].Add(1)
			if pr.In.Header.Get("Mcp-Session-Id") != "" {
				rr.withSID[i].Add(1)
			}
			pr.SetURL(rr.targets[i])
			pr.Out.Host = pr.In.Host
		},
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	rr.URL = srv.URL
	return rr
}

func replicaConfig(t *testing.T, upstreamURL, tail string) *config.Config {
	t.Helper()
	return renderConfig(t, []upstreamSpec{{Name: "alpha", URL: upstreamURL, Transport: "streamable-http"}},
		"sessions: {secret: "+sessionSecret+"}\n"+tail)
}

// Two replicas that share nothing but their config, behind a round-robin
// proxy: a session opened through one is served by the other, and a forged
// or foreign id is refused by both.
func TestScaleOutSessions(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	a := startGateway(t, replicaConfig(t, alpha.URL(), ""))
	b := startGateway(t, replicaConfig(t, alpha.URL(), ""))
	lb := newRoundRobin(t, a.URL, b.URL)

	// An mcp-go client through the balancer on a protocol with sessions
	// (2026-07-28 has none, so it scales out without them): every request
	// may land on either replica.
	tr, err := transport.NewStreamableHTTP(lb.URL+"/mcp", transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + adminToken}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, client.WithProtocolVersion(mcp.LATEST_LEGACY_PROTOCOL_VERSION))
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ProtocolVersion: mcp.LATEST_LEGACY_PROTOCOL_VERSION, ClientInfo: mcp.Implementation{Name: "lb", Version: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if init.ProtocolVersion != mcp.LATEST_LEGACY_PROTOCOL_VERSION {
		t.Fatalf("negotiated %s", init.ProtocolVersion)
	}
	const calls = 20
	for i := range calls {
		msg := fmt.Sprintf("call %d", i)
		if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": msg})); got != msg {
			t.Fatalf("call %d through the balancer: %q", i, got)
		}
	}
	for i := range lb.targets {
		if lb.withSID[i].Load() == 0 {
			t.Fatalf("replica %d saw no request of the session (served %d): the test proves nothing", i, lb.served[i].Load())
		}
	}
	t.Logf("through the balancer: %d calls in one session (protocol %s), all answered; replica A served %d requests (%d with the session id), replica B %d (%d)",
		calls, init.ProtocolVersion, lb.served[0].Load(), lb.withSID[0].Load(), lb.served[1].Load(), lb.withSID[1].Load())

	// Opened on A, used on B directly.
	id := openSession(t, a.URL+"/mcp", adminToken)
	if resp, body := mcpRequest(t, http.MethodPost, b.URL+"/mcp", adminToken, id, listTools); resp.StatusCode != http.StatusOK {
		t.Fatalf("A's session on B: %d %s", resp.StatusCode, body)
	}
	// Forged, foreign and other-secret ids are refused by both.
	other := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}},
		"sessions: {secret: another-secret-0123456789-0123456789}\n"))
	otherID := openSession(t, other.URL+"/mcp", adminToken)
	for _, replica := range []*testGateway{a, b} {
		for what, tc := range map[string]struct{ token, id string }{
			"forged":       {adminToken, id[:len(id)-3] + "abc"},
			"made up":      {adminToken, "gw1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAA"},
			"foreign":      {mathToken, id},
			"other secret": {adminToken, otherID},
		} {
			if resp, body := mcpRequest(t, http.MethodPost, replica.URL+"/mcp", tc.token, tc.id, listTools); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s id on %s: %d %s, want 404", what, replica.URL, resp.StatusCode, body)
			}
		}
	}
}

// startRedis runs a throwaway redis-server on a free loopback port, or
// skips the test when there is none on PATH (.ci/run installs it).
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH: skipping the shared rate limit test (apt-get install redis-server; .ci/run does)")
	}
	addr := closedAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_, _ = conn.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			_ = conn.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := conn.Read(buf)
			conn.Close()
			if string(buf[:n]) == "+PONG\r\n" {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// burstThrough sends n initialize requests for token through the balancer
// as fast as it can and counts the answers by status.
func burstThrough(t *testing.T, lb *roundRobin, token string, n int) (ok, limited int) {
	t.Helper()
	for range n {
		resp, body := rawPost(t, lb.URL+"/mcp", token, []byte(initBody))
		switch resp.StatusCode {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	}
	return ok, limited
}

// With Redis configured, a token's rate limit holds across both replicas;
// without, each replica enforces it on its own, so the pair admits twice
// the burst.
func TestScaleOutSharedRateLimit(t *testing.T) {
	redisAddr := startRedis(t)
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	const burst, sent = 10, 40
	limit := func(cfg *config.Config) *config.Config {
		cfg.Auth.RateLimit = config.RateLimitConfig{RequestsPerSecond: 0.5, Burst: burst}
		return cfg
	}
	run := func(tail string) (ok, limited int) {
		a := startGateway(t, limit(replicaConfig(t, alpha.URL(), tail)))
		b := startGateway(t, limit(replicaConfig(t, alpha.URL(), tail)))
		return burstThrough(t, newRoundRobin(t, a.URL, b.URL), adminToken, sent)
	}
	localOK, localLimited := run("")
	sharedOK, sharedLimited := run("redis: {address: " + redisAddr + "}\n")
	t.Logf("token bucket 0.5/s burst %d, %d requests round-robin over 2 replicas: per-replica limiters admitted %d (429: %d); shared through Redis admitted %d (429: %d)",
		burst, sent, localOK, localLimited, sharedOK, sharedLimited)
	if sharedOK < burst || sharedOK > burst+2 {
		t.Errorf("shared limit admitted %d of %d, want the burst of %d (+ refill)", sharedOK, sent, burst)
	}
	if localOK < 2*burst {
		t.Errorf("per-replica limiters admitted %d, want about twice the burst (the test would not tell sharing apart)", localOK)
	}
}
