// Command loadtest sends a bounded, open-loop MCP load to a gateway on the
// loopback interface and reports what it did to the gateway: achieved
// rate, latency percentiles, errors, RSS, heap, goroutines, open fds, TCP
// connections and new connections to the upstream, every second.
//
//	loadtest                              start a demo upstream and the reference gateway, load it
//	loadtest -gateway churny              ... or the churny fixture (direct: no gateway)
//	loadtest -gateway fixed -fixed DIR    ... or a copy of the fixture that churnlint -fix has fixed
//	loadtest -compare [-fixed DIR] [-direct]   churny, fixed (if given) and reference one after another, same load
//	loadtest -target http://127.0.0.1:8080/mcp -pid 1234 -token T    a gateway that is already running
//	loadtest -compare-peer /path/to/mcp-proxy   reference, the peer binary and direct, interleaved: CPU per request, saturation, overload
//
// Results go to -out: report.json, samples.csv and chart.png per run, and
// for a comparison report.json and compare.png with every run. See
// gateway/LOADTEST.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/churnlint/churnlint/gateway/loadtest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	compare, direct bool
	gateway         string
	target, token   string
	pid             int
	metrics         string
	upstreamPort    int
	upstreamPID     int
	upstreamMetrics string
	out, repo       string
	keepWork        bool
	fixed           string
	cpuProfile      string
	peer            string
	schedLatency    time.Duration
	peerOpts        loadtest.PeerOptions
	cfg             loadtest.Config
	th              loadtest.Thresholds
}

func parse(args []string, stderr io.Writer) (*options, error) {
	fl := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fl.SetOutput(stderr)
	o := &options{th: loadtest.DefaultThresholds()}
	fl.BoolVar(&o.compare, "compare", false, "run the churny fixture, its fixed copy (with -fixed) and the reference gateway, one after another with the same load")
	fl.BoolVar(&o.direct, "direct", false, "also run the load straight against the upstream (with -compare), or only that (without)")
	fl.StringVar(&o.gateway, "gateway", loadtest.KindReference, "without -compare or -target: what to start: reference, churny, fixed or direct")
	fl.StringVar(&o.target, "target", "", "MCP endpoint of an already running gateway (loopback only); nothing is started")
	fl.StringVar(&o.token, "token", os.Getenv("LOADTEST_TOKEN"), "with -target: bearer token (default $LOADTEST_TOKEN)")
	fl.IntVar(&o.pid, "pid", 0, "with -target: the gateway's process id, for RSS and open fds")
	fl.StringVar(&o.metrics, "metrics", "", "with -target: its Prometheus endpoint (default: /metrics on the target's host)")
	fl.IntVar(&o.upstreamPort, "upstream-port", 0, "with -target: the upstream's port, to count TCP connections to it")
	fl.IntVar(&o.upstreamPID, "upstream-pid", 0, "with -target: the upstream's process id, for its CPU per answer")
	fl.StringVar(&o.upstreamMetrics, "upstream-metrics", "", "with -target: the demo upstream's -metrics endpoint, for its accepted-connections counter")
	fl.StringVar(&o.out, "out", "", "output directory (default loadtest-out/<time>)")
	fl.StringVar(&o.repo, "repo", "", "churnlint repository root (default: found above the working directory)")
	fl.BoolVar(&o.keepWork, "keep-work", false, "keep the scratch directory (binaries, fixture copies)")
	fl.DurationVar(&o.schedLatency, "sched-latency", 0, "the reference gateway's admission.max_sched_latency (0: off, its default; the overload check uses 10ms)")
	fl.StringVar(&o.peer, "compare-peer", "", "a peer gateway's binary (TBXark/mcp-proxy; not built by the harness): run reference, peer and direct interleaved (see LOADTEST.md)")
	fl.IntVar(&o.peerOpts.Rounds, "rounds", 2, "with -compare-peer: rounds, each running every kind once in a rotated order")
	steps := fl.String("steps", "", "with -compare-peer: the saturation ramp, ascending rates (default 300,450,...,2800)")
	fl.DurationVar(&o.peerOpts.StepWarmup, "step-warmup", 2*time.Second, "with -compare-peer: warm-up of each ramp step")
	fl.DurationVar(&o.peerOpts.StepDuration, "step-duration", 8*time.Second, "with -compare-peer: measured part of each ramp step")
	fl.DurationVar(&o.peerOpts.P99Bound, "p99-bound", 100*time.Millisecond, "with -compare-peer: a ramp step passes below this p99 (and with 0 errors)")
	fl.Float64Var(&o.peerOpts.OverloadFactor, "overload-factor", 4, "with -compare-peer: the overload run's rate, times the reference's saturation rate (0: no overload run)")
	fl.DurationVar(&o.peerOpts.OverloadDuration, "overload-duration", 30*time.Second, "with -compare-peer: the overload run's measured duration")
	fl.StringVar(&o.cpuProfile, "cpuprofile", "", "write the harness's own CPU profile here (is the generator what queues?)")
	fl.StringVar(&o.fixed, "fixed", "", "a copy of testdata/churnygateway that churnlint -fix has fixed: the fixed target (see LOADTEST.md)")

	fl.Float64Var(&o.cfg.Rate, "rps", 1000, "requests per second (open loop)")
	fl.DurationVar(&o.cfg.Duration, "duration", 60*time.Second, "measured load, after the warm-up")
	fl.DurationVar(&o.cfg.Warmup, "warmup", 10*time.Second, "warm-up load before the measurement")
	fl.IntVar(&o.cfg.Sessions, "sessions", 50, "downstream MCP sessions to spread the requests over")
	mix := fl.String("mix", loadtest.DefaultMix, "operations and weights: call (tools/call), list (tools/list), read (resources/read), prompt (prompts/get)")
	fl.DurationVar(&o.cfg.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fl.IntVar(&o.cfg.MaxInFlight, "max-inflight", 2000, "at most this many requests in flight; the rest count as overload errors")
	fl.BoolVar(&o.cfg.RawCalls, "raw-calls", false, "send each tools/call as one prepared POST on the session instead of through mcp-go's client (a cheaper generator, as the overload run does)")
	fl.StringVar(&o.cfg.Protocol, "protocol", "", "MCP revision the harness speaks (e.g. 2025-11-25); empty: the newest the target accepts")
	fl.StringVar(&o.cfg.Tool, "tool", "", "tool to call (default: echo or <prefix>__echo from the catalog)")
	fl.StringVar(&o.cfg.Resource, "resource", "", "resource to read (default: the demo://greeting resource)")
	fl.StringVar(&o.cfg.Prompt, "prompt", "", "prompt to get (default: greet or <prefix>__greet)")

	fl.Float64Var(&o.th.MaxRSSGrowthPct, "max-rss-growth", o.th.MaxRSSGrowthPct, "verdict: max RSS growth from the end of the warm-up to the end, percent (flags the run)")
	fl.BoolVar(&o.th.RSSFails, "rss-fails", false, "verdict: RSS growth above -max-rss-growth fails the run instead of flagging it")
	fl.Float64Var(&o.th.MinRPSRatio, "min-rps-ratio", o.th.MinRPSRatio, "verdict: min achieved/target rate over the last minute (last third of a short run)")
	fl.Int64Var(&o.th.MaxErrors, "max-errors", o.th.MaxErrors, "verdict: max failed requests after the warm-up")
	fl.Float64Var(&o.th.MaxGoroutineGrowth, "max-goroutine-growth", o.th.MaxGoroutineGrowth, "verdict: goroutines (last third mean) <= this x first third mean + slack")
	fl.Float64Var(&o.th.GoroutineSlack, "goroutine-slack", o.th.GoroutineSlack, "verdict: absolute slack of the goroutine bound")
	fl.Float64Var(&o.th.MaxUpstreamConnsPerRequest, "max-upstream-conns-per-request", o.th.MaxUpstreamConnsPerRequest, "verdict: max new upstream connections per request")
	if err := fl.Parse(args); err != nil {
		return nil, err
	}
	if fl.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %v", fl.Args())
	}
	m, err := loadtest.ParseMix(*mix)
	if err != nil {
		return nil, err
	}
	o.cfg.Mix = m
	if err := o.cfg.Validate(); err != nil {
		return nil, err
	}
	if o.target != "" && o.compare {
		return nil, errors.New("-target and -compare exclude each other")
	}
	if o.peer != "" {
		if o.target != "" || o.compare {
			return nil, errors.New("-compare-peer excludes -target and -compare")
		}
		abs, err := filepath.Abs(o.peer)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(abs); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return nil, fmt.Errorf("-compare-peer %s: not an executable file", o.peer)
		}
		o.peer = abs
		o.peerOpts.Steps = loadtest.DefaultSteps
		if *steps != "" {
			if o.peerOpts.Steps, err = loadtest.ParseSteps(*steps); err != nil {
				return nil, err
			}
		}
		if o.peerOpts.Rounds < 1 || o.peerOpts.Rounds > 10 {
			return nil, errors.New("-rounds must be in 1..10")
		}
		// Every target must answer the same requests: the peer (mcp-go
		// v0.44) speaks no revision past 2025-11-25.
		if o.cfg.Protocol == "" {
			o.cfg.Protocol = "2025-11-25"
		}
		o.peerOpts.Load = o.cfg
	}
	if o.target != "" {
		if o.metrics == "" {
			o.metrics = loadtest.MetricsURLFor(o.target)
		}
		for _, u := range []string{o.target, o.metrics, o.upstreamMetrics} {
			if u == "" {
				continue
			}
			if err := loadtest.CheckLoopbackURL(u); err != nil {
				return nil, fmt.Errorf("refusing a non-loopback target: %w", err)
			}
		}
	}
	if o.direct && !o.compare {
		o.gateway = loadtest.KindDirect
	}
	valid := false
	for _, k := range loadtest.Kinds {
		valid = valid || k == o.gateway
	}
	if !valid {
		return nil, fmt.Errorf("-gateway %q: want one of %v", o.gateway, loadtest.Kinds)
	}
	if o.gateway == loadtest.KindFixed && !o.compare && o.fixed == "" {
		return nil, errors.New("-gateway fixed needs -fixed DIR, a copy of testdata/churnygateway after churnlint -fix")
	}
	if o.fixed != "" {
		abs, err := filepath.Abs(o.fixed)
		if err != nil {
			return nil, err
		}
		o.fixed = abs
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
	}
	if o.out == "" {
		o.out = filepath.Join("loadtest-out", time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}

	// One HTTP client for everything the harness sends: the sessions, the
	// metrics scrapes and the readiness probes share its pool.
	tr := &http.Transport{
		MaxIdleConns:        o.cfg.MaxInFlight + 64,
		MaxIdleConnsPerHost: o.cfg.MaxInFlight + 64,
		// One client IP: the reference gateway closes connections from one
		// IP beyond http.max_conns_per_ip (256 by default); a client that
		// keeps under it waits for a connection instead.
		MaxConnsPerHost: loadtest.MaxConnsPerTarget,
		IdleConnTimeout: 30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	// 503 refusals become a typed error (see loadtest.RejectionDetector).
	hc := &http.Client{Transport: loadtest.RejectionDetector{Next: tr}}

	if o.target != "" {
		t := loadtest.Target{
			Name: "target", URL: o.target, Token: o.token, PID: o.pid, MetricsURL: o.metrics,
			UpstreamPort: o.upstreamPort, UpstreamMetricsURL: o.upstreamMetrics, UpstreamPID: o.upstreamPID,
		}
		res, err := loadtest.Run(ctx, hc, t, o.cfg, o.th, logf)
		if res != nil {
			if werr := loadtest.WriteRun(o.out, res, o.th); werr != nil {
				logf("writing results: %v", werr)
			}
			loadtest.PrintTable(stdout, []*loadtest.Result{res})
			fmt.Fprintln(stdout)
			loadtest.PrintVerdict(stdout, res)
			fmt.Fprintf(stdout, "results in %s\n", o.out)
		}
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		return exitFor(res.Summary.Pass)
	}

	repo := o.repo
	if repo == "" {
		if repo, err = loadtest.FindRepo("."); err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 2
		}
	}
	work, err := os.MkdirTemp("", "churnlint-loadtest-")
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	if o.keepWork {
		logf("scratch directory: %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	env := loadtest.Env{Repo: repo, Work: work, Out: o.out, Logf: logf, Fixed: o.fixed, Peer: o.peer, SchedLatency: o.schedLatency}
	if o.peer != "" {
		return runPeer(ctx, hc, env, o, args, stdout, stderr)
	}

	kinds := []string{o.gateway}
	if o.compare {
		kinds = []string{loadtest.KindChurny}
		if o.fixed != "" {
			kinds = append(kinds, loadtest.KindFixed)
		} else {
			logf("no -fixed copy of the fixture: comparing churny and reference only")
		}
		kinds = append(kinds, loadtest.KindReference)
		if o.direct {
			kinds = append(kinds, loadtest.KindDirect)
		}
	}
	started := time.Now()
	loadStart := loadavg()
	runs, _, err := loadtest.Compare(ctx, hc, env, kinds, o.cfg, o.th)
	extra := map[string]any{
		"command": "loadtest " + strings.Join(args, " "),
		"date":    started.UTC().Format(time.RFC3339),
		"machine": machine(),
		// Other work on the machine competes with the processes measured.
		"loadavg_at_start": loadStart,
		"loadavg_at_end":   loadavg(),
	}
	if o.fixed != "" {
		extra["fixed"] = o.fixed
	}
	if len(runs) > 0 {
		if werr := loadtest.WriteComparison(o.out, runs, o.th, extra); werr != nil {
			logf("writing results: %v", werr)
		}
		fmt.Fprintln(stdout)
		loadtest.PrintTable(stdout, runs)
		fmt.Fprintln(stdout)
		for _, r := range runs {
			loadtest.PrintVerdict(stdout, r)
		}
		fmt.Fprintf(stdout, "results in %s (took %s; load average %s at the start, %s at the end)\n",
			o.out, time.Since(started).Round(time.Second), loadStart, extra["loadavg_at_end"])
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	// The churny fixture is expected to fail; everything else must pass.
	pass := true
	for _, r := range runs {
		if r.Target.Name != loadtest.KindChurny {
			pass = pass && r.Summary.Pass
		}
	}
	return exitFor(pass)
}

func exitFor(pass bool) int {
	if pass {
		return 0
	}
	return 1
}

// loadavg is /proc/loadavg's 1, 5 and 15 minute load averages.
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// machine describes where the numbers were measured.
func machine() map[string]any {
	m := map[string]any{"cpus": runtime.NumCPU(), "go": runtime.Version(), "os": runtime.GOOS + "/" + runtime.GOARCH}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				m["cpu"] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		if line, _, ok := strings.Cut(string(data), "\n"); ok {
			m["memory"] = strings.Join(strings.Fields(line)[1:], " ")
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m["kernel"] = strings.TrimSpace(string(data))
	}
	return m
}

// runPeer is -compare-peer.
func runPeer(ctx context.Context, hc *http.Client, env loadtest.Env, o *options, args []string, stdout, stderr io.Writer) int {
	started := time.Now()
	loadStart := loadavg()
	rep, err := loadtest.ComparePeer(ctx, hc, env, o.peerOpts, o.th)
	if rep != nil {
		extra := map[string]any{
			"command": "loadtest " + strings.Join(args, " "), "date": started.UTC().Format(time.RFC3339),
			"machine": machine(), "loadavg_at_start": loadStart, "loadavg_at_end": loadavg(), "peer": o.peer,
			"comparison": rep,
		}
		if werr := loadtest.WriteJSON(filepath.Join(o.out, "report.json"), extra); werr != nil {
			env.Logf("writing results: %v", werr)
		}
		fmt.Fprintln(stdout)
		loadtest.PrintPeerReport(stdout, rep)
		fmt.Fprintf(stdout, "results in %s (took %s; load average %s at the start, %s at the end)\n",
			o.out, time.Since(started).Round(time.Second), loadStart, loadavg())
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	return exitFor(rep.PeerPass())
}
