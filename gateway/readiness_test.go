package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
)

func readyz(t *testing.T, base string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// /readyz follows the upstreams' current state under the configured
// policy, not whether they were initialised once.
func TestReadinessFollowsUpstreams(t *testing.T) {
	for _, tc := range []struct {
		name      string
		readiness config.ReadinessConfig
		// want after alpha went down (beta stays up)
		wantAlphaDown int
	}{
		{"any", config.ReadinessConfig{Require: config.ReadyAny}, http.StatusOK},
		{"all", config.ReadinessConfig{Require: config.ReadyAll}, http.StatusServiceUnavailable},
		{"named alpha", config.ReadinessConfig{Require: config.ReadyAll, Upstreams: []string{"alpha"}}, http.StatusServiceUnavailable},
		{"named beta", config.ReadinessConfig{Require: config.ReadyAll, Upstreams: []string{"beta"}}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
			beta := upstreamtest.New(t, "beta", upstreamtest.Streamable).Start()
			cfg := renderConfig(t, []upstreamSpec{
				{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"},
				{Name: "beta", URL: beta.URL(), Transport: "streamable-http"},
			}, "")
			cfg.Readiness = tc.readiness
			gw := startGateway(t, cfg)
			if code, body := readyz(t, gw.URL); code != http.StatusOK {
				t.Fatalf("both up: %d %v", code, body)
			}
			alpha.Stop()
			eventually(t, 10*time.Second, "alpha reported down", func() bool {
				for _, st := range gw.Sessions().Statuses() {
					if st.Name == "alpha" {
						return !st.Up
					}
				}
				return false
			})
			if code, body := readyz(t, gw.URL); code != tc.wantAlphaDown {
				t.Fatalf("alpha down: %d %v, want %d", code, body, tc.wantAlphaDown)
			}
			beta.Stop()
			eventually(t, 10*time.Second, "not ready with every upstream down", func() bool {
				code, _ := readyz(t, gw.URL)
				return code == http.StatusServiceUnavailable
			})
		})
	}
}

// On shutdown /readyz answers 503 for readiness.drain_grace while calls
// are still served; only then does the listener close.
func TestDrainGraceKeepsServing(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	cfg := renderConfig(t, []upstreamSpec{{Name: "alpha", URL: alpha.URL(), Transport: "streamable-http"}}, "")
	cfg.Readiness.DrainGrace = 1500 * time.Millisecond
	gw := startGateway(t, cfg)
	c := connect(t, gw.URL+"/mcp", adminToken)

	done := make(chan error, 1)
	start := time.Now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		done <- gw.Shutdown(ctx)
	}()
	eventually(t, 5*time.Second, "/readyz 503 while draining", func() bool {
		code, body := readyz(t, gw.URL)
		return code == http.StatusServiceUnavailable && body["draining"] == true
	})
	if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "still here"})); got != "still here" {
		t.Fatalf("call during the grace: %q", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if took := time.Since(start); took < 1500*time.Millisecond {
		t.Fatalf("Shutdown returned after %s, before the grace ended", took)
	}
	if code, _ := readyz(t, gw.URL); code != 0 {
		t.Fatalf("listener still open after shutdown (readyz %d)", code)
	}
}
