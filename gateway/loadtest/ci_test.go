package loadtest

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLoadComparison is the CI check of issue 8: a short comparison of the
// churny fixture, the fixture after churnlint -fix and the reference
// gateway under the same load (200 rps, 4 s warm-up + 16 s per target).
// It asserts on counts and ratios only, never on absolute times: errors,
// new upstream connections per request, goroutine growth, the achieved
// share of the rate, sockets left in TIME_WAIT. It takes about three
// minutes, so it runs only with CHURNLINT_LOADTEST=1. Results go to
// $CHURNLINT_LOADTEST_OUT if set.
func TestLoadComparison(t *testing.T) {
	if os.Getenv("CHURNLINT_LOADTEST") != "1" {
		t.Skip("set CHURNLINT_LOADTEST=1 to run the load comparison (about 3 minutes)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("samples /proc: Linux only")
	}
	repo, err := FindRepo(".")
	if err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("CHURNLINT_LOADTEST_OUT")
	if out == "" {
		out = t.TempDir()
	}
	started := time.Now()
	env := Env{Repo: repo, Work: t.TempDir(), Out: out, Logf: t.Logf, FixtureTests: true}
	tr := &http.Transport{MaxIdleConns: 1100, MaxIdleConnsPerHost: 1100, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}

	mix, err := ParseMix(DefaultMix)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Rate: 200, Warmup: 4 * time.Second, Duration: 16 * time.Second, Sessions: 20, Mix: mix,
		Timeout: 10 * time.Second, MaxInFlight: 1000}
	th := DefaultThresholds()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	runs, bins, err := Compare(ctx, hc, env, []string{KindChurny, KindFixed, KindReference}, cfg, th)
	var table strings.Builder
	PrintTable(&table, runs)
	t.Logf("comparison (%s):\n%s", time.Since(started).Round(time.Second), table.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteComparison(out, runs, th, map[string]any{"churnlint_fix": bins.Fix}); err != nil {
		t.Error(err)
	}
	byKind := map[string]*Result{}
	for _, r := range runs {
		byKind[r.Target.Name] = r
	}
	churny, fixed, ref := byKind[KindChurny].Summary, byKind[KindFixed].Summary, byKind[KindReference].Summary

	// A target that keeps its pools: no errors, the rate kept up (80% of
	// it, robust on a loaded machine), goroutines bounded, and new
	// upstream connections per request at most 1% and a tenth of the
	// churny fixture's.
	good := func(t *testing.T, s Summary) {
		t.Helper()
		if n := s.Measured.Errors + s.Warmup.Errors; n != 0 {
			t.Errorf("%d errors: %v %v", n, s.Measured.ByClass, s.Warmup.ByClass)
		}
		if s.RPSRatio < 0.8 {
			t.Errorf("achieved %.1f rps of %.0f (%.0f%%) over the last %.0f s", s.LastWindowRPS, s.TargetRPS, 100*s.RPSRatio, s.LastWindowSeconds)
		}
		if s.GoroutinesLastThird < 0 || s.GoroutinesLastThird > th.MaxGoroutineGrowth*s.GoroutinesFirstThird+th.GoroutineSlack {
			t.Errorf("goroutines grew: %.0f -> %.0f (max %.0f)", s.GoroutinesFirstThird, s.GoroutinesLastThird, s.GoroutinesMax)
		}
		if s.UpstreamConnsPerRequest < 0 || s.UpstreamConnsPerRequest > th.MaxUpstreamConnsPerRequest ||
			s.UpstreamConnsPerRequest > churny.UpstreamConnsPerRequest/10 {
			t.Errorf("%.4f new upstream connections per request (churny fixture: %.4f)", s.UpstreamConnsPerRequest, churny.UpstreamConnsPerRequest)
		}
	}
	t.Run("reference", func(t *testing.T) { good(t, ref) })
	t.Run("churnlint on the fixture", func(t *testing.T) {
		f := bins.Fix
		if f.Before.Exit != 3 || len(f.Before.Findings) != 3 {
			t.Errorf("churnlint ./... on the fixture: exit %d, %d findings; want exit 3 and 3 findings "+
				"(the forwarder's per-call transport, Moderation, Audit):\n%s", f.Before.Exit, len(f.Before.Findings), f.Before.Output)
		}
		if f.After.Exit != 0 || len(f.After.Findings) != 0 {
			t.Errorf("churnlint ./... after -fix: exit %d:\n%s", f.After.Exit, f.After.Output)
		}
		for name, res := range f.Checks {
			if res != "ok" {
				t.Errorf("after -fix, %s: %s", name, res)
			}
		}
	})
	t.Run("fixed", func(t *testing.T) { good(t, fixed) })
	t.Run("churny is worse", func(t *testing.T) {
		// Nearly every forwarded request (95% of the mix) opens a
		// connection, which the fixture's exit leaves in TIME_WAIT.
		if churny.UpstreamConnsPerRequest < 0.5 {
			t.Errorf("%.4f new upstream connections per request, want >= 0.5", churny.UpstreamConnsPerRequest)
		}
		if churny.UpstreamConnsPerRequest < 10*ref.UpstreamConnsPerRequest {
			t.Errorf("%.4f new upstream connections per request, not 10x the reference's %.4f", churny.UpstreamConnsPerRequest, ref.UpstreamConnsPerRequest)
		}
		if tw, floor := churny.UpTimeWaitAfterStop, 5*max(ref.UpTimeWaitAfterStop, 20); tw < floor || tw < int(churny.NewUpstreamConns/2) {
			t.Errorf("%d sockets in TIME_WAIT after stop, want >= %d and >= half of its %d new connections (reference: %d)",
				tw, floor, churny.NewUpstreamConns, ref.UpTimeWaitAfterStop)
		}
		if churny.GoroutinesLastThird <= th.MaxGoroutineGrowth*churny.GoroutinesFirstThird+th.GoroutineSlack {
			t.Errorf("goroutines did not grow: %.0f -> %.0f", churny.GoroutinesFirstThird, churny.GoroutinesLastThird)
		}
	})
	t.Logf("took %s", time.Since(started).Round(time.Second))
}
