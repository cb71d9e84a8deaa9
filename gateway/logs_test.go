package gateway_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

func countLines(logs, level, msg string) int {
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "level="+level) && strings.Contains(line, `msg="`+msg+`"`) {
			n++
		}
	}
	return n
}

// Refreshing an unchanged catalog logs nothing at INFO, and idle sessions
// expiring together give one INFO summary, the per-session lines at DEBUG.
func TestLogNoise(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http",
		Extra: "    refresh_interval: 100ms"}}, "session_idle_ttl: 1s")
	gw := startGateway(t, cfg)

	const sessions = 30
	for range sessions {
		resp, body := mcpRequest(t, http.MethodPost, gw.URL+"/mcp", adminToken, "", initBody)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Mcp-Session-Id") == "" {
			t.Fatalf("initialize: %d %s", resp.StatusCode, body)
		}
	}
	// Under load the sessions may expire over more than one sweep: the
	// summaries add up to every session.
	summary := regexp.MustCompile(`level=INFO msg="expired downstream sessions swept" sessions=(\d+)`)
	swept := func() (total, lines int) {
		for _, m := range summary.FindAllStringSubmatch(gw.logs.String(), -1) {
			n, _ := strconv.Atoi(m[1])
			total += n
			lines++
		}
		return total, lines
	}
	eventually(t, 15*time.Second, "sweep summaries of every session", func() bool {
		total, _ := swept()
		return total == sessions
	})
	logs := gw.logs.String()
	if n := countLines(logs, "INFO", "Sweeping expired session"); n != 0 {
		t.Errorf("%d INFO lines per swept session", n)
	}
	if n := countLines(logs, "DEBUG", "Sweeping expired session"); n != sessions {
		t.Errorf("%d DEBUG lines per swept session, want %d", n, sessions)
	}
	if _, lines := swept(); lines > 5 {
		t.Errorf("%d summary lines for %d sessions", lines, sessions)
	}
	// About 20 refreshes ran by now; the catalog never changed.
	if n := countLines(logs, "INFO", "upstream catalog updated"); n != 1 {
		t.Errorf("%d 'upstream catalog updated' lines for one unchanged catalog", n)
	}
}
