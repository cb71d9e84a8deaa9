package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/churnlint/churnlint/gateway/config"
)

// PeerOptions configure a comparison of the reference gateway with a peer
// gateway and the direct run (see LOADTEST.md).
type PeerOptions struct {
	Rounds int // each round runs every kind once, in a rotated order
	// Load is the fixed-rate run of every kind in every round: CPU per
	// request, the upstream's CPU per answer, connections per request.
	Load Config
	// Steps are the rates of the saturation ramp, ascending; each step
	// is a fresh run of StepWarmup + StepDuration on the same processes.
	// A kind's saturation rate is the highest step before the first that
	// misses P99Bound, has an error (a refusal counts) or falls short of
	// 95% of its rate.
	Steps                    []float64
	StepWarmup, StepDuration time.Duration
	P99Bound                 time.Duration
	// OverloadFactor x the reference's saturation rate (median over the
	// rounds), for OverloadDuration, is the overload run; 0 skips it.
	OverloadFactor   float64
	OverloadDuration time.Duration
}

// DefaultSteps is the default saturation ramp.
var DefaultSteps = []float64{300, 450, 600, 800, 1000, 1300, 1700, 2200, 2800}

// PeerKinds are the kinds of a peer comparison, in the first round's order.
var PeerKinds = []string{KindReference, KindPeer, KindDirect}

// KindFigures are one kind's figures over the rounds.
type KindFigures struct {
	Kind string `json:"kind"`
	// Per round, in round order.
	CPUPerRequest         []float64 `json:"cpu_ms_per_request"`
	UpstreamCPUPerRequest []float64 `json:"upstream_cpu_ms_per_answer"`
	ConnsPerRequest       []float64 `json:"upstream_conns_per_request"`
	P99                   []float64 `json:"p99_ms"`
	Errors                []int64   `json:"errors"`
	Saturation            []float64 `json:"saturation_rps"`
	// SaturationConnsPerRequest: new upstream connections per request at
	// the last step of the ramp that passed.
	SaturationConnsPerRequest []float64 `json:"saturation_upstream_conns_per_request"`
}

// measured drops the values that were not measured (-1).
func measured(v []float64) []float64 {
	return slices.DeleteFunc(slices.Clone(v), func(x float64) bool { return x < 0 })
}

func median(v []float64) float64 {
	v = measured(v)
	if len(v) == 0 {
		return -1
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// OverloadVerdict is the overload run's verdict on the reference gateway.
type OverloadVerdict struct {
	Rate float64 `json:"rps"`
	// Pinning is how the CPUs were split between the target and the
	// harness, for the saturation ramp and the overload alike.
	Pinning string `json:"pinning"`
	// Saturation is the reference's saturation rate in that configuration,
	// with the overload run's requests (prepared tools/call POSTs): the
	// last step of the ramp that passed (SaturationP99 its p99);
	// SaturationNote says when no step, or every step, passed.
	Saturation     float64 `json:"saturation_rps"`
	SaturationP99  float64 `json:"saturation_p99_ms"`
	SaturationNote string  `json:"saturation_note,omitempty"`
	// What it is compared with: the reference's fixed-rate run in the same
	// configuration (unloaded p99, RSS).
	UnloadedP99 float64 `json:"unloaded_p99_ms"`
	UnloadedRSS float64 `json:"unloaded_rss_max_mb"`
	// UnloadedServedP99 is the same run's gateway-side p99 (its duration
	// histogram); OfferedRate what the harness sent under overload.
	UnloadedServedP99 float64 `json:"unloaded_served_p99_ms"`
	OfferedRate       float64 `json:"offered_rps"`
	// GoroutineBound is the stated bound: goroutines at rest + one per
	// connection the harness holds to it (net/http serves each on a
	// goroutine, idle or not) + two per request the gateway admits or
	// queues (its handler's and net/http's background reader) + two per
	// pooled upstream connection.
	GoroutineBound float64 `json:"goroutine_bound"`
	Result         *Result `json:"-"`
	Checks         []Check `json:"checks"`
	Pass           bool    `json:"pass"`
}

// PeerReport is a whole comparison.
type PeerReport struct {
	Options  PeerOptions    `json:"options"`
	Kinds    []*KindFigures `json:"kinds"`
	Overload *OverloadVerdict
	// Goals are the acceptance checks, as ratios within this run.
	Goals []Check `json:"goals"`
}

func (r *PeerReport) figures(kind string) *KindFigures {
	for _, k := range r.Kinds {
		if k.Kind == kind {
			return k
		}
	}
	k := &KindFigures{Kind: kind}
	r.Kinds = append(r.Kinds, k)
	return k
}

// ComparePeer runs the reference gateway, the peer (env.Peer) and the
// direct run interleaved: Rounds rounds, each kind once per round in a
// rotated order, each time on fresh processes: the fixed-rate run, then
// the saturation ramp. Then the overload run of the reference. It builds
// only what the repository holds (gateway, demo upstream); the peer is
// given.
func ComparePeer(ctx context.Context, hc *http.Client, env Env, opts PeerOptions, th Thresholds) (*PeerReport, error) {
	bins, err := Build(ctx, env, []string{KindReference})
	if err != nil {
		return nil, err
	}
	rep := &PeerReport{Options: opts}
	for round := range opts.Rounds {
		for i := range PeerKinds {
			kind := PeerKinds[(i+round)%len(PeerKinds)]
			env.logf("=== round %d: %s", round+1, kind)
			sleepCtx(ctx, 2*time.Second) // let the machine settle
			res, satRun, err := runPeerRound(ctx, hc, env, bins, kind, filepath.Join(env.Out, fmt.Sprintf("round%d-%s", round+1, kind)), opts, th)
			if err != nil {
				return rep, fmt.Errorf("round %d, %s: %w", round+1, kind, err)
			}
			sat, satConns := 0.0, -1.0
			if satRun != nil {
				sat, satConns = satRun.Summary.TargetRPS, satRun.Summary.UpstreamConnsPerRequest
			}
			f := rep.figures(kind)
			s := res.Summary
			f.CPUPerRequest = append(f.CPUPerRequest, s.CPUPerRequest)
			f.UpstreamCPUPerRequest = append(f.UpstreamCPUPerRequest, s.UpstreamCPUPerRequest)
			f.ConnsPerRequest = append(f.ConnsPerRequest, s.UpstreamConnsPerRequest)
			f.P99 = append(f.P99, s.P99)
			f.Errors = append(f.Errors, s.Measured.Errors)
			f.Saturation = append(f.Saturation, sat)
			f.SaturationConnsPerRequest = append(f.SaturationConnsPerRequest, satConns)
		}
	}
	ref, peer, direct := rep.figures(KindReference), rep.figures(KindPeer), rep.figures(KindDirect)
	refCPU, peerCPU := median(ref.CPUPerRequest), median(peer.CPUPerRequest)
	refUp, peerUp := median(ref.UpstreamCPUPerRequest), median(peer.UpstreamCPUPerRequest)
	refSat, peerSat, directSat := median(ref.Saturation), median(peer.Saturation), median(direct.Saturation)
	goal := func(name, want string, got float64, pass bool) {
		rep.Goals = append(rep.Goals, Check{Name: name, Want: want, Got: strconv.FormatFloat(got, 'f', 2, 64), Pass: pass})
	}
	goal("CPU per request, reference / peer", "<= 1", refCPU/peerCPU, refCPU <= peerCPU)
	goal("upstream CPU per answer, behind reference / behind peer", "<= 1", refUp/peerUp, refUp <= peerUp)
	// A saturation of 0 is "below the ramp's first step": no ratio.
	satGoal := func(name, want string, other, factor float64) {
		if refSat <= 0 || other <= 0 {
			rep.Goals = append(rep.Goals, Check{Name: name, Want: want, Got: fmt.Sprintf("not measured (saturation below the first step: reference %.0f, other %.0f)", refSat, other)})
			return
		}
		goal(name, want, refSat/other, refSat >= factor*other)
	}
	satGoal("saturation rate, reference / peer", ">= 1.5", peerSat, 1.5)
	satGoal("saturation rate, reference / direct", ">= 0.6", directSat, 0.6)

	if opts.OverloadFactor > 0 {
		pin, err := SplitCPUs()
		if err != nil {
			env.logf("overload: %v; the target and the harness share the CPUs", err)
		}
		env.Pin = pin
		ov, err := Overload(ctx, hc, env, bins, opts, th)
		rep.Overload = ov
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// runPeerRound starts kind once and runs the fixed-rate load, then the
// ramp on the same processes. It returns the fixed-rate run and the last
// step that passed (nil: none).
func runPeerRound(ctx context.Context, hc *http.Client, env Env, bins *Binaries, kind, dir string, opts PeerOptions, th Thresholds) (*Result, *Result, error) {
	st, err := startStack(ctx, hc, env, bins, kind, dir)
	if err != nil {
		return nil, nil, err
	}
	defer st.stop()
	res, err := Run(ctx, hc, st.t, opts.Load, th, env.Logf)
	if err != nil {
		return nil, nil, err
	}
	// The gateway's own goroutines, with the harness's connections
	// closed: the base of the overload run's goroutine bound.
	hc.CloseIdleConnections()
	res.Summary.GoroutinesAtRest = goroutinesAtRest(ctx, hc, st.t.MetricsURL, restSettle)
	if err := WriteRun(filepath.Join(dir, "load"), res, th); err != nil {
		return nil, nil, err
	}
	var sat *Result
	for _, rate := range opts.Steps {
		step := opts.Load
		step.Rate, step.Warmup, step.Duration = rate, opts.StepWarmup, opts.StepDuration
		hc.CloseIdleConnections()
		r, err := Run(ctx, hc, st.t, step, th, env.Logf)
		if err != nil {
			return nil, nil, err
		}
		_ = WriteRun(filepath.Join(dir, fmt.Sprintf("step-%.0f", rate)), r, th)
		s := r.Summary
		ok := s.Measured.Errors == 0 && s.P99 >= 0 && s.P99 < ms(opts.P99Bound.Microseconds()) && s.AchievedRPS >= 0.95*rate
		env.logf("%s: step %.0f rps: achieved %.1f, p99 %.2f ms, errors %d: %s", kind, rate, s.AchievedRPS, s.P99, s.Measured.Errors, map[bool]string{true: "pass", false: "saturated"}[ok])
		if !ok {
			break
		}
		sat = r
	}
	return res, sat, nil
}

// overloadConfig is cfg for the overload run and the ramp it is a
// multiple of: only tools/call, each one prepared POST (through mcp-go's
// client the harness spends more CPU per request than the gateway does).
func overloadConfig(cfg Config) (Config, error) {
	cfg.RawCalls = true
	mix, err := ParseMix("call=1")
	cfg.Mix = mix
	return cfg, err
}

// Overload measures the reference gateway's saturation rate in the
// overload run's own configuration (env.Pin: gateway and upstream on
// their CPUs, the harness on its own; the overload run's requests) and
// then runs it at OverloadFactor x that rate for OverloadDuration on fresh
// processes, and judges it against the fixed-rate run that preceded the
// ramp: goroutines within the bound its config implies, RSS within 3x,
// refusals fast (gateway-side p99 within the unloaded p99 + queue_timeout),
// admitted calls' p99 within twice what waiting behind every admitted and
// queued request at the goodput takes, every refusal counted in the
// gateway's metrics, and the rate asked for actually offered.
func Overload(ctx context.Context, hc *http.Client, env Env, bins *Binaries, opts PeerOptions, th Thresholds) (*OverloadVerdict, error) {
	v := &OverloadVerdict{Pinning: env.Pin.String()}
	if env.Pin != nil {
		restore, err := pinSelf(env.Pin.Harness)
		if err != nil {
			return nil, err
		}
		defer restore()
	}
	ramp := opts
	load, err := overloadConfig(opts.Load)
	if err != nil {
		return nil, err
	}
	ramp.Load = load
	env.logf("=== overload: the reference's saturation with prepared calls (%s)", v.Pinning)
	hc.CloseIdleConnections()
	unloaded, satRun, err := runPeerRound(ctx, hc, env, bins, KindReference, filepath.Join(env.Out, "overload-saturation"), ramp, th)
	if err != nil {
		return nil, err
	}
	switch {
	case satRun != nil:
		v.Saturation, v.SaturationP99 = satRun.Summary.TargetRPS, satRun.Summary.P99
		if last := opts.Steps[len(opts.Steps)-1]; v.Saturation == last {
			v.SaturationNote = fmt.Sprintf("every step passed: the saturation is at least %.0f rps", last)
		}
	case unloaded.Summary.Measured.Errors == 0 && unloaded.Summary.P99 >= 0 && unloaded.Summary.P99 < ms(opts.P99Bound.Microseconds()):
		// The machine is busy: the fixed-rate run's rate, which it held.
		v.Saturation, v.SaturationP99 = load.Rate, unloaded.Summary.P99
		v.SaturationNote = fmt.Sprintf("no step of the ramp passed: the fixed-rate run's %.0f rps taken", load.Rate)
	default:
		return v, fmt.Errorf("no saturation rate: the fixed-rate run at %.0f rps missed p99 < %s or had errors (p99 %.2f ms, %d errors)",
			load.Rate, opts.P99Bound, unloaded.Summary.P99, unloaded.Summary.Measured.Errors)
	}
	rate := math.Min(opts.OverloadFactor*v.Saturation, MaxRate)
	v.Rate = rate
	env.logf("=== overload: reference at %.0f rps (%.1fx its saturation %.0f) for %s", rate, opts.OverloadFactor, v.Saturation, opts.OverloadDuration)
	cfg := load
	cfg.Rate, cfg.Warmup, cfg.Duration = rate, 5*time.Second, opts.OverloadDuration
	hc.CloseIdleConnections()
	res, err := runOn(ctx, hc, env, bins, KindReference, filepath.Join(env.Out, "overload"), cfg, th)
	if res == nil {
		return v, err
	}
	v.Result = res
	v.UnloadedP99, v.UnloadedRSS = unloaded.Summary.P99, unloaded.Summary.RSSMaxMB
	ref, cerr := config.Parse([]byte(referenceConfig("127.0.0.1:1", "http://127.0.0.1:2/mcp", randomToken(), env.SchedLatency)))
	if cerr != nil {
		return v, cerr
	}
	rest := unloaded.Summary.GoroutinesAtRest
	if rest < 0 {
		rest = unloaded.Summary.GoroutinesStart
	}
	a := ref.Admission
	// The harness's connections: the raw calls' pool and, at most, its
	// HTTP client's (sessions, metrics).
	conns := RawConnsFor(res.Target.URL) + MaxConnsPerTarget
	v.GoroutineBound = rest + float64(conns) + 2*float64(a.MaxInFlight+a.MaxQueue) + 2*float64(ref.Pool.UpstreamMaxInFlight())
	s := res.Summary
	add := func(name, want, got string, pass bool) {
		v.Checks = append(v.Checks, Check{Name: name, Want: want, Got: got, Pass: pass})
	}
	add("goroutines", fmt.Sprintf("max <= %.0f (at rest %.0f + %d harness connections + 2 x (admission.max_in_flight %d + max_queue %d) + 2 x %d pooled connections)",
		v.GoroutineBound, rest, conns, a.MaxInFlight, a.MaxQueue, ref.Pool.UpstreamMaxInFlight()),
		f0(s.GoroutinesMax), s.GoroutinesMax >= 0 && s.GoroutinesMax <= v.GoroutineBound)
	add("rss", fmt.Sprintf("max <= 3 x unloaded max (%.1f MB)", v.UnloadedRSS), f1(s.RSSMaxMB)+" MB",
		s.RSSMaxMB > 0 && s.RSSMaxMB <= 3*v.UnloadedRSS)
	// The saturation rate is where the p99 bound first fails, which on a
	// busy machine is a stall, not the gateway's capacity: at 4x that
	// the gateway answered 86% (3420 of 4000 rps, 2026-12-02). A run in
	// which it refuses nearly nothing (12 of 24,000 at 800 rps, when no
	// step of the ramp passed) is no overload, and its refusals' figures
	// mean nothing.
	refusedShare := 0.0
	if sent := s.Measured.Sent - s.Measured.ByClass[ErrOverload]; sent > 0 {
		refusedShare = float64(s.Rejected) / float64(sent)
	}
	add("overloaded", "at least 10% of the requests sent refused (beyond capacity: the refusal path is what is measured)",
		fmt.Sprintf("%d refused (%.1f%%)", s.Rejected, 100*refusedShare), refusedShare >= 0.1)
	// How fast a refusal is, is read from the gateway's own clock (its
	// duration histogram): on a shared 2-core machine the harness at 4x
	// is itself short of CPU, and what it measures from when a request
	// was due includes its own queue (send lag, waiting for one of its
	// connections), printed beside it.
	us := unloaded.Summary
	v.UnloadedServedP99 = us.ServedP99
	// A refusal may have waited admission.queue_timeout for a slot, by
	// design; beyond that it should cost no more than an answer did
	// unloaded.
	queueMS := float64(a.QueueTimeout.Microseconds()) / 1000
	rejBound := math.Max(us.ServedP99, 1) + queueMS
	add("refusals fast", fmt.Sprintf("gateway-side p99 <= %.2f ms (the unloaded run's gateway-side p99 of an answered call, at least 1 ms, + queue_timeout %.0f ms)", rejBound, queueMS),
		fmt.Sprintf("%.2f ms (harness-side %.2f ms from due, its send lag p99 %.2f ms)", s.ServedRejectedP99, s.RejectedP99, s.SendLagP99),
		s.ServedRejectedP99 >= 0 && s.ServedRejectedP99 <= rejBound)
	// An admitted request waits behind at most max_in_flight + max_queue
	// others, served at the goodput (Little's law); twice that bounds its
	// p99 on a machine that also runs the harness and the upstream.
	admBound := math.Inf(1)
	if s.AchievedRPS > 0 {
		admBound = 2 * 1000 * float64(a.MaxInFlight+a.MaxQueue) / s.AchievedRPS
	}
	add("admitted p99", fmt.Sprintf("gateway-side <= %.0f ms (2 x (max_in_flight + max_queue) / goodput %.0f rps)", admBound, s.AchievedRPS),
		fmt.Sprintf("%.2f ms, %.1fx the unloaded %.2f ms (harness-side %.2f ms, %.1fx)", s.ServedP99, s.ServedP99/us.ServedP99, us.ServedP99, s.P99, s.P99/v.UnloadedP99),
		s.ServedP99 >= 0 && s.ServedP99 <= admBound)
	counted := s.RejectedByTarget
	add("refusals counted", "gateway's mcp_gateway_admission_rejected_total within 10% of the refusals seen",
		fmt.Sprintf("%.0f counted, %d seen", counted, s.Rejected),
		counted >= 0 && math.Abs(counted-float64(s.Rejected)) <= 0.1*float64(s.Rejected)+5)
	// Requests the harness could not send (its own in-flight cap) are its
	// shortfall, not the gateway's: they lower the load offered, which
	// must be what was asked, or the run did not overload the gateway
	// 4x.
	notSent := s.Measured.ByClass[ErrOverload]
	other := s.Measured.Errors - s.Rejected - notSent
	add("no other errors", "timeouts, transport errors or wrong answers: 0", strconv.FormatInt(other, 10), other == 0)
	offered := (float64(s.Measured.Sent-notSent) / cfg.Duration.Seconds())
	v.OfferedRate = offered
	add("overload offered", fmt.Sprintf(">= 95%% of %.0f rps, %.1fx the saturation rate %.0f rps (what the harness could not send is its shortfall)", rate, opts.OverloadFactor, v.Saturation),
		fmt.Sprintf("%.0f rps (%.2fx), %d not sent", offered, offered/v.Saturation, notSent), offered >= 0.95*rate)
	v.Pass = true
	for _, c := range v.Checks {
		v.Pass = v.Pass && c.Pass
	}
	return v, err
}

// PrintPeerReport writes the comparison as a table of medians (min-max
// over the rounds), the ratios the goals ask for, and the overload verdict.
func PrintPeerReport(w io.Writer, rep *PeerReport) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "median (min-max) over %d rounds\t%s\t\n", rep.Options.Rounds, strings.Join(PeerKinds, "\t"))
	row := func(name string, get func(*KindFigures) []float64, prec int) {
		cells := []string{name}
		for _, k := range PeerKinds {
			cells = append(cells, spread(get(rep.figures(k)), prec))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	rate := strconv.FormatFloat(rep.Options.Load.Rate, 'f', 0, 64)
	row("CPU ms/request at "+rate+" rps", func(k *KindFigures) []float64 { return k.CPUPerRequest }, 3)
	row("upstream CPU ms/answer at "+rate+" rps", func(k *KindFigures) []float64 { return k.UpstreamCPUPerRequest }, 3)
	row("new upstream conns/request at "+rate+" rps", func(k *KindFigures) []float64 { return k.ConnsPerRequest }, 4)
	row("p99 ms at "+rate+" rps", func(k *KindFigures) []float64 { return k.P99 }, 2)
	row("errors at "+rate+" rps", func(k *KindFigures) []float64 {
		out := make([]float64, len(k.Errors))
		for i, e := range k.Errors {
			out[i] = float64(e)
		}
		return out
	}, 0)
	row(fmt.Sprintf("saturation rps (p99 < %s, 0 errors)", rep.Options.P99Bound), func(k *KindFigures) []float64 { return k.Saturation }, 0)
	row("new upstream conns/request at saturation", func(k *KindFigures) []float64 { return k.SaturationConnsPerRequest }, 4)
	tw.Flush()
	fmt.Fprintln(w)
	for _, g := range rep.Goals {
		fmt.Fprintf(w, "  %-4s %-60s %-8s got %s\n", map[bool]string{true: "ok", false: "FAIL"}[g.Pass], g.Name, g.Want, g.Got)
	}
	if ov := rep.Overload; ov != nil {
		fmt.Fprintf(w, "\noverload (%s): saturation with prepared calls %.0f rps (p99 %.2f ms)", ov.Pinning, ov.Saturation, ov.SaturationP99)
		if ov.SaturationNote != "" {
			fmt.Fprintf(w, "; %s", ov.SaturationNote)
		}
		fmt.Fprintf(w, "\nreference at %.0f rps (%.1fx) for %s\n", ov.Rate, rep.Options.OverloadFactor, rep.Options.OverloadDuration)
		if ov.Result == nil {
			return
		}
		PrintTable(w, []*Result{ov.Result})
		for _, c := range ov.Checks {
			fmt.Fprintf(w, "  %-4s %-18s %-100s got %s\n", map[bool]string{true: "ok", false: "FAIL"}[c.Pass], c.Name, c.Want, c.Got)
		}
		fmt.Fprintf(w, "overload verdict: %s\n", map[bool]string{true: "PASS", false: "FAIL"}[ov.Pass])
	}
}

func spread(v []float64, prec int) string {
	v = measured(v)
	if len(v) == 0 {
		return "n/a"
	}
	lo, hi := slices.Min(v), slices.Max(v)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', prec, 64) }
	if lo == hi {
		return f(lo)
	}
	return f(median(v)) + " (" + f(lo) + "-" + f(hi) + ")"
}

// PeerPass reports whether every goal and the overload verdict passed.
func (r *PeerReport) PeerPass() bool {
	for _, g := range r.Goals {
		if !g.Pass {
			return false
		}
	}
	return r.Overload == nil || r.Overload.Pass
}

// ParseSteps parses "300,450,600".
func ParseSteps(text string) ([]float64, error) {
	var out []float64
	for f := range strings.SplitSeq(text, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v <= 0 || v > MaxRate {
			return nil, fmt.Errorf("step %q: want a rate in (0, %d]", f, MaxRate)
		}
		if len(out) > 0 && v <= out[len(out)-1] {
			return nil, errors.New("steps must ascend")
		}
		out = append(out, v)
	}
	return out, nil
}
