package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

// TestSlowUpstreamTimeout: a call slower than the upstream's call timeout
// fails fast with a timeout tool error, and the session stays usable.
func TestSlowUpstreamTimeout(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http", CallTimeout: "300ms"}}, "")
	gw := startGateway(t, cfg)
	c := connect(t, gw.URL+"/mcp", adminToken)

	start := time.Now()
	res := callTool(t, c, "alpha__sleep", map[string]any{"ms": 5000})
	if !res.IsError || !strings.Contains(resultText(res), "timed out") {
		t.Fatalf("slow call: %+v", res)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("timeout took %s", d)
	}
	if got := resultText(callTool(t, c, "alpha__sleep", map[string]any{"ms": 1})); !strings.HasPrefix(got, "slept") {
		t.Fatalf("after timeout: %q", got)
	}
}

// TestUpstreamRestart: an upstream that dies is reported down, calls fail
// cleanly meanwhile, and once it is back the gateway reconnects and
// re-initialises by itself. Covers both upstream transports.
func TestUpstreamRestart(t *testing.T) {
	for _, tr := range []string{upstreamtest.Streamable, upstreamtest.SSE} {
		t.Run(tr, func(t *testing.T) {
			up := upstreamtest.New(t, "alpha", tr).Start()
			cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: up.URL(), Transport: tr}}, "")
			gw := startGateway(t, cfg)
			c := connect(t, gw.URL+"/mcp", adminToken)
			if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "one"})); got != "one" {
				t.Fatalf("before: %q", got)
			}
			sess, _ := gw.Sessions().Session("alpha")

			up.Stop()
			eventually(t, 15*time.Second, "upstream marked down", func() bool { return !sess.Status().Up })
			res := callTool(t, c, "alpha__echo", map[string]any{"message": "down"})
			if !res.IsError {
				t.Fatalf("call to a dead upstream succeeded: %q", resultText(res))
			}
			// The catalog survives an outage: clients keep their tool list.
			if !slices.Contains(toolNames(t, c), "alpha__echo") {
				t.Fatal("tools vanished while the upstream was down")
			}

			up.Start()
			eventually(t, 15*time.Second, "upstream reconnected", func() bool { return sess.Status().Up })
			if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "two"})); got != "two" {
				t.Fatalf("after restart: %q", got)
			}
		})
	}
}

// TestUpstreamDownAtStart: the gateway starts while an upstream is down,
// reports not-ready, and becomes ready when the upstream appears.
func TestUpstreamDownAtStart(t *testing.T) {
	up := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	addr := up.Addr
	up.Stop()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: "http://" + addr + "/mcp", Transport: "streamable-http"}}, "")
	gwCfg := *cfg
	g := startGatewayNoWait(t, &gwCfg)

	resp, err := http.Get(g.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz %d %s", resp.StatusCode, body)
	}
	up.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := g.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(g.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz after upstream came up: %d", resp.StatusCode)
	}
}

// TestListChanged: a tool added on the upstream reaches the gateway through
// the listChanged notification (the refresh interval is far away) and the
// downstream client is notified in turn.
func TestListChanged(t *testing.T) {
	for _, tr := range []string{upstreamtest.Streamable, upstreamtest.SSE} {
		t.Run(tr, func(t *testing.T) {
			up := upstreamtest.New(t, "alpha", tr).Start()
			cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: up.URL(), Transport: tr, Extra: "    refresh_interval: 1h"}}, "")
			gw := startGateway(t, cfg)

			c := connect(t, gw.URL+"/mcp", adminToken)
			notified := make(chan struct{}, 16)
			c.OnNotification(func(n mcp.JSONRPCNotification) {
				if n.Method == string(mcp.MethodNotificationToolsListChanged) {
					notified <- struct{}{}
				}
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stopListen, err := c.ListenAsync(ctx, mcp.SubscriptionFilter{ToolsListChanged: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer stopListen()
			eventually(t, 10*time.Second, "tool list", func() bool { return len(toolNames(t, c)) == 3 })

			up.MCP.AddTool(mcp.NewTool("shout", mcp.WithString("message")),
				func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					return mcp.NewToolResultText(strings.ToUpper(req.GetString("message", ""))), nil
				})
			eventually(t, 10*time.Second, "new tool federated", func() bool {
				return slices.Contains(gw.Federation().ToolNames("main"), "alpha__shout")
			})
			select {
			case <-notified:
			case <-time.After(10 * time.Second):
				t.Fatal("downstream client got no tools/list_changed")
			}
			if got := resultText(callTool(t, c, "alpha__shout", map[string]any{"message": "hey"})); got != "HEY" {
				t.Fatalf("shout = %q", got)
			}
			up.MCP.DeleteTools("shout")
			eventually(t, 10*time.Second, "removed tool dropped", func() bool {
				return !slices.Contains(gw.Federation().ToolNames("main"), "alpha__shout")
			})
		})
	}
}

// TestVirtualServer: /servers/<name>/mcp exposes only its selection, and
// unknown virtual servers are 404.
func TestVirtualServer(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}},
		"virtual_servers:\n  - {name: math, tools: [\"alpha__add\"], prompts: [\"alpha__*\"]}")
	gw := startGateway(t, cfg)
	c := connect(t, gw.URL+"/servers/math/mcp", adminToken)
	eventually(t, 10*time.Second, "virtual tools", func() bool {
		return slices.Equal(toolNames(t, c), []string{"alpha__add"})
	})
	if got := resultText(callTool(t, c, "alpha__add", map[string]any{"a": 1, "b": 1})); got != "2" {
		t.Fatalf("add = %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	if err == nil && len(res.Resources) != 0 {
		t.Fatalf("virtual server leaked resources: %+v", res.Resources)
	}
	resp, _ := rawPost(t, gw.URL+"/servers/nope/mcp", adminToken, []byte(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown virtual server: %d", resp.StatusCode)
	}
}

// TestSSEDownstream: legacy clients use /sse; a session id cannot be used
// by another principal.
func TestSSEDownstream(t *testing.T) {
	gw, _ := oneUpstreamGateway(t, "")
	c := connectSSE(t, gw.URL+"/sse", adminToken)
	if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "legacy"})); got != "legacy" {
		t.Fatalf("echo over SSE = %q", got)
	}
	// Hijack attempt: the math token posts to admin's session.
	endpoint := sseEndpoint(c)
	resp, body := rawPost(t, endpoint, mathToken, []byte(`{"jsonrpc":"2.0","id":9,"method":"ping"}`))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("foreign session: %d %s", resp.StatusCode, body)
	}
}

// TestConcurrentCallsReuseConnections: waves of concurrent calls share the
// pool. Only the first wave needs new upstream connections; later waves
// reuse them (Go's default of 2 idle connections per host would instead
// open and drop connections on every wave).
func TestConcurrentCallsReuseConnections(t *testing.T) {
	gw, _ := oneUpstreamGateway(t, "")
	c := connect(t, gw.URL+"/mcp", adminToken)
	stats := gw.Pool().Shared().Stats()
	const waves, width = 5, 10
	openedBefore, reusedBefore := stats.Opened.Load(), stats.Reused.Load()
	for w := range waves {
		var wg sync.WaitGroup
		errs := make(chan error, width)
		for i := range width {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				msg := fmt.Sprintf("%d-%d", w, i)
				req := mcp.CallToolRequest{}
				req.Params.Name = "alpha__echo"
				req.Params.Arguments = map[string]any{"message": msg}
				res, err := c.CallTool(ctx, req)
				if err == nil && resultText(res) != msg {
					err = fmt.Errorf("call %s got %q", msg, resultText(res))
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	opened := stats.Opened.Load() - openedBefore
	reused := stats.Reused.Load() - reusedBefore
	t.Logf("%d calls: %d new upstream connections, %d reused", waves*width, opened, reused)
	if opened > width+2 {
		t.Fatalf("%d calls in waves of %d opened %d upstream connections", waves*width, width, opened)
	}
	if reused < int64((waves-1)*width) {
		t.Fatalf("only %d reused connections", reused)
	}
}

var _ = server.NewMCPServer
