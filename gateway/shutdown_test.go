package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

// Calls still in flight when the shutdown deadline runs out are each
// answered with a "gateway is shutting down" JSON-RPC error (over
// streamable HTTP and over SSE), not an empty reply; Shutdown still
// finishes within its deadline.
func TestShutdownDeadlineAnswersInFlightCalls(t *testing.T) {
	var arrived atomic.Int32
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable)
	alpha.Wrap = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && isSleepCall(r) {
				arrived.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
	alpha.Start()
	gw := startGateway(t, renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http", CallTimeout: "30s"}}, ""))
	streamClient := connect(t, gw.URL+"/mcp", adminToken)
	sseClient := connectSSE(t, gw.URL+"/sse", adminToken)

	const perClient = 3
	var wg sync.WaitGroup
	results := make(chan string, 2*perClient)
	for _, c := range []*client.Client{streamClient, sseClient} {
		for range perClient {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				req := mcp.CallToolRequest{}
				req.Params.Name = "alpha__sleep"
				req.Params.Arguments = map[string]any{"ms": 15000}
				res, err := c.CallTool(ctx, req)
				switch {
				case err != nil:
					results <- "error: " + err.Error()
				default:
					results <- "result: " + resultText(res)
				}
			}()
		}
	}
	eventually(t, 15*time.Second, "all calls in flight upstream", func() bool { return arrived.Load() == 2*perClient })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	gw.uncleanShutdownOK = true
	err := gw.Shutdown(ctx)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Shutdown took %s with a 2s deadline", took)
	}
	if err == nil || !strings.Contains(err.Error(), "aborted") {
		t.Errorf("Shutdown = %v, want a report of aborted calls", err)
	}
	wg.Wait()
	close(results)
	for r := range results {
		if !strings.HasPrefix(r, "error: ") || !strings.Contains(r, "gateway is shutting down") {
			t.Errorf("in-flight call: %s, want a JSON-RPC error saying the gateway is shutting down", r)
		}
	}
}
