package gateway_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/demoupstream"
)

// stdioUpstreamEnv names the demo upstream that this test binary serves on
// stdin/stdout when started with it set (see TestMain).
const stdioUpstreamEnv = "GATEWAY_TEST_STDIO_UPSTREAM"

func serveStdioUpstream(name string) {
	if err := demoupstream.ServeStdio(demoupstream.New(name), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// stdioSpec is a stdio upstream running this test binary as the demo
// server, optionally through `sh -c script` (script ends by exec'ing it).
func stdioSpec(t *testing.T, name, script string) upstreamSpec {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	extra := fmt.Sprintf("    command: %q\n    env: {%s: %s}", self, stdioUpstreamEnv, name)
	if script != "" {
		extra = fmt.Sprintf("    command: /bin/sh\n    args: [\"-c\", %q, %q]\n    env: {%s: %s}", script, self, stdioUpstreamEnv, name)
	}
	return upstreamSpec{Name: name, Transport: config.TransportStdio, Extra: extra}
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z'
}

// TestStdioUpstream: a stdio upstream's tools are federated and callable,
// its stderr reaches the log line by line, and a killed process is
// restarted.
func TestStdioUpstream(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	cfg := renderConfig(t, []upstreamSpec{stdioSpec(t, "local", "")}, "")
	g := startGateway(t, cfg)
	c := connect(t, g.URL+"/mcp", adminToken)

	if got := resultText(callTool(t, c, "local__echo", map[string]any{"message": "over stdio"})); got != "over stdio" {
		t.Fatalf("echo through stdio upstream: %q", got)
	}
	sess, _ := g.Sessions().Session("local")
	pid := sess.ProcessID()
	if pid == 0 || !processAlive(pid) {
		t.Fatalf("no live process for the stdio upstream (pid %d)", pid)
	}
	// The demo server announces itself on stderr with its pid.
	eventually(t, 5*time.Second, "the child's stderr line in the log", func() bool {
		return strings.Contains(g.logs.String(), "pid="+strconv.Itoa(pid))
	})
	mustContain(t, g.logs.String(), "stdio upstream stderr")

	// Concurrent calls share the one process.
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			res, err := callToolErr(c, "local__add", map[string]any{"a": i, "b": 1})
			if err == nil && resultText(res) != strconv.Itoa(i+1) {
				err = fmt.Errorf("add %d+1 = %q", i, resultText(res))
			}
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "a new process", func() bool {
		p := sess.ProcessID()
		return p != 0 && p != pid && sess.Status().Up
	})
	if got := resultText(callTool(t, c, "local__echo", map[string]any{"message": "again"})); got != "again" {
		t.Fatalf("echo after restart: %q", got)
	}
	m := g.Metrics()
	if n := counterValue(t, m.ProcessStarts.WithLabelValues("local")); n < 2 {
		t.Fatalf("process starts = %v, want at least 2", n)
	}
	if n := counterValue(t, m.ProcessExits.WithLabelValues("local")); n < 1 {
		t.Fatalf("process exits = %v, want at least 1", n)
	}
}

// TestStdioShutdownKillsProcessGroup: the upstream's command spawns a
// grandchild that ignores stdin; shutdown leaves neither behind.
func TestStdioShutdownKillsProcessGroup(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	pidFile := filepath.Join(t.TempDir(), "grandchild.pid")
	script := fmt.Sprintf(`sleep 300 & echo $! > %s; exec "$0"`, pidFile)
	cfg := renderConfig(t, []upstreamSpec{stdioSpec(t, "family", script)}, "")
	g := startGatewayNoWait(t, cfg)
	ctx, cancel := contextWithTimeout(20 * time.Second)
	defer cancel()
	if err := g.WaitReady(ctx); err != nil {
		t.Fatalf("not ready: %v\n%s", err, g.logs.String())
	}
	sess, _ := g.Sessions().Session("family")
	leader := sess.ProcessID()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	grandchild, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !processAlive(leader) || !processAlive(grandchild) {
		t.Fatalf("before shutdown: leader %d alive %v, grandchild %d alive %v", leader, processAlive(leader), grandchild, processAlive(grandchild))
	}
	if err := g.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "no process of the group left", func() bool {
		return !processAlive(leader) && !processAlive(grandchild)
	})
}

func counterValue(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	return testutil.ToFloat64(c)
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func callToolErr(c *client.Client, name string, args map[string]any) (*mcp.CallToolResult, error) {
	ctx, cancel := contextWithTimeout(15 * time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return c.CallTool(ctx, req)
}
