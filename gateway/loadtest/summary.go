package loadtest

import (
	"fmt"
)

// Thresholds are what a run must meet to pass.
type Thresholds struct {
	// MaxRSSGrowthPct bounds RSS growth from the end of the warm-up to the
	// end of the measurement, in percent. Exceeding it flags the run; it
	// fails the run only with RSSFails (short runs of small processes move
	// by more than 5% with the garbage collector alone).
	MaxRSSGrowthPct float64 `json:"max_rss_growth_pct"`
	RSSFails        bool    `json:"rss_fails"`
	// MinRPSRatio is the share of the target rate that must be achieved
	// (successful answers per second) over the last window: the last
	// minute, or the last third of a run shorter than three minutes.
	MinRPSRatio float64 `json:"min_rps_ratio"`
	// MaxErrors bounds failed requests due after the warm-up.
	MaxErrors int64 `json:"max_errors"`
	// Goroutines are bounded when their mean over the last third of the
	// measurement is at most MaxGoroutineGrowth times the mean over the
	// first third plus GoroutineSlack.
	MaxGoroutineGrowth float64 `json:"max_goroutine_growth"`
	GoroutineSlack     float64 `json:"goroutine_slack"`
	// MaxUpstreamConnsPerRequest bounds new upstream connections per
	// request sent after the warm-up.
	MaxUpstreamConnsPerRequest float64 `json:"max_upstream_conns_per_request"`
}

// DefaultThresholds are the verdict's defaults.
func DefaultThresholds() Thresholds {
	return Thresholds{
		MaxRSSGrowthPct:            5,
		MinRPSRatio:                0.95,
		MaxErrors:                  0,
		MaxGoroutineGrowth:         1.5,
		GoroutineSlack:             100,
		MaxUpstreamConnsPerRequest: 0.01,
	}
}

// Check is one line of the verdict.
type Check struct {
	Name    string `json:"name"`
	Want    string `json:"want"`
	Got     string `json:"got"`
	Pass    bool   `json:"pass"`
	Skipped bool   `json:"skipped,omitempty"` // not measured
	// Advisory checks flag the run when they fail but do not fail it.
	Advisory bool `json:"advisory,omitempty"`
}

// Summary condenses a run. Values that were not measured are -1.
type Summary struct {
	TargetRPS       float64 `json:"target_rps"`
	MeasuredSeconds float64 `json:"measured_seconds"`
	Measured        Counts  `json:"measured"` // requests due after the warm-up
	Warmup          Counts  `json:"warmup"`

	AchievedRPS       float64 `json:"achieved_rps"` // successful answers per second over the measurement
	LastWindowSeconds float64 `json:"last_window_seconds"`
	LastWindowRPS     float64 `json:"last_window_rps"`
	RPSRatio          float64 `json:"rps_ratio"` // LastWindowRPS / TargetRPS

	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p999_ms"`
	Max  float64 `json:"max_ms"`

	// CPUCores is the target's mean CPU use over the measurement, in
	// cores; CPUPerRequest its CPU time per answered request.
	CPUCores      float64 `json:"cpu_cores"`
	CPUPerRequest float64 `json:"cpu_ms_per_request"`
	// UpstreamCPUPerRequest is the upstream's CPU time per answered
	// request: what the target asks of the upstream per call (a direct
	// run: the same as CPUPerRequest).
	UpstreamCPUCores      float64 `json:"upstream_cpu_cores"`
	UpstreamCPUPerRequest float64 `json:"upstream_cpu_ms_per_request"`

	// Rejected counts requests the target refused with 503 (due after
	// the warm-up), RejectedP99 their latency; RejectedByTarget the
	// target's own counter over the same span (-1: not exposed).
	Rejected         int64   `json:"rejected"`
	RejectedP99      float64 `json:"rejected_p99_ms"`
	RejectedMax      float64 `json:"rejected_max_ms"`
	RejectedByTarget float64 `json:"rejected_by_target"`
	// ServedP99 and ServedRejectedP99 are the target's own p99 of the time
	// it held an answered (HTTP 200) and a refused (503) request, from its
	// duration histogram (mcp_gateway_http_request_duration_seconds);
	// -1: not exposed or none. Free of the time a request spent in the
	// harness before it reached the target.
	ServedP99         float64 `json:"served_p99_ms"`
	ServedRejectedP99 float64 `json:"served_rejected_p99_ms"`
	// SendLagP99 is how late the harness sent its requests (p99): when it
	// is large, the harness could not keep up and the latencies above
	// are partly its own.
	SendLagP99 float64 `json:"send_lag_p99_ms"`
	RSSMaxMB   float64 `json:"rss_max_mb"`

	RSSStartMB   float64 `json:"rss_start_mb"` // at the end of the warm-up
	RSSEndMB     float64 `json:"rss_end_mb"`   // at the end of the measurement
	RSSGrowthPct float64 `json:"rss_growth_pct"`
	HeapStartMB  float64 `json:"heap_inuse_start_mb"`
	HeapEndMB    float64 `json:"heap_inuse_end_mb"`

	GoroutinesStart      float64 `json:"goroutines_start"`
	GoroutinesEnd        float64 `json:"goroutines_end"`
	GoroutinesMax        float64 `json:"goroutines_max"`
	GoroutinesFirstThird float64 `json:"goroutines_first_third_mean"`
	GoroutinesLastThird  float64 `json:"goroutines_last_third_mean"`
	// GoroutinesAtRest is read after the load, once the harness has closed
	// its connections (see goroutinesAtRest); only when the harness
	// started the target.
	GoroutinesAtRest float64 `json:"goroutines_at_rest"`

	FDsStart int `json:"fds_start"`
	FDsEnd   int `json:"fds_end"`
	FDsMax   int `json:"fds_max"`

	UpEstablishedMax int `json:"upstream_established_max"`
	UpTimeWaitMax    int `json:"upstream_time_wait_max"`
	// UpTimeWaitAfterStop counts TIME_WAIT sockets on the upstream port a
	// second after the target was stopped: every connection the target
	// still held, closed by its exit.
	UpTimeWaitAfterStop int `json:"upstream_time_wait_after_stop"`

	NewUpstreamConns        int64   `json:"new_upstream_conns"`
	NewUpstreamConnsSource  string  `json:"new_upstream_conns_source,omitempty"`
	UpstreamConnsPerRequest float64 `json:"upstream_conns_per_request"`

	Checks []Check `json:"checks"`
	Pass   bool    `json:"pass"`
	// Flagged lists the advisory checks that failed.
	Flagged []string `json:"flagged,omitempty"`
}

// Where the count of new upstream connections comes from.
const (
	SourceCounter = "upstream accepted-connections counter"
	SourcePorts   = "distinct client ports ESTABLISHED to the upstream port in /proc/net/tcp (a lower bound)"
)

// Summarize computes the summary and the verdict of a run.
func Summarize(r *Result, cfg Config, th Thresholds) Summary {
	s := Summary{
		TargetRPS: cfg.Rate, Measured: r.measured, Warmup: r.warm,
		P50: -1, P90: -1, P99: -1, P999: -1, Max: -1,
		CPUCores: -1, CPUPerRequest: -1, UpstreamCPUCores: -1, UpstreamCPUPerRequest: -1,
		RejectedP99: -1, RejectedMax: -1, RejectedByTarget: -1, ServedP99: -1, ServedRejectedP99: -1, SendLagP99: -1, RSSMaxMB: -1, RSSStartMB: -1, RSSEndMB: -1, RSSGrowthPct: -1, HeapStartMB: -1, HeapEndMB: -1,
		GoroutinesStart: -1, GoroutinesEnd: -1, GoroutinesMax: -1, GoroutinesFirstThird: -1, GoroutinesLastThird: -1, GoroutinesAtRest: -1,
		FDsStart: -1, FDsEnd: -1, FDsMax: -1, UpEstablishedMax: -1, UpTimeWaitMax: -1, UpTimeWaitAfterStop: -1,
		NewUpstreamConns: -1, UpstreamConnsPerRequest: -1,
	}
	if h := r.measure; h != nil && h.TotalCount() > 0 {
		s.P50, s.P90, s.P99 = ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(90)), ms(h.ValueAtQuantile(99))
		s.P999, s.Max = ms(h.ValueAtQuantile(99.9)), ms(h.Max())
	}
	s.Rejected = r.measured.ByClass[ErrRejected]
	if h := r.rejected; h != nil && h.TotalCount() > 0 {
		s.RejectedP99, s.RejectedMax = ms(h.ValueAtQuantile(99)), ms(h.Max())
	}

	if h := r.sendLag; h != nil && h.TotalCount() > 0 {
		s.SendLagP99 = ms(h.ValueAtQuantile(99))
	}
	if q := r.served["200"].Quantile(0.99); q >= 0 {
		s.ServedP99 = 1000 * q
	}
	if q := r.served["503"].Quantile(0.99); q >= 0 {
		s.ServedRejectedP99 = 1000 * q
	}

	var measure []Sample
	var start *Sample // the last sample of the warm-up
	for i := range r.Samples {
		sm := &r.Samples[i]
		switch sm.Phase {
		case PhaseWarmup:
			start = sm
		case PhaseMeasure:
			measure = append(measure, *sm)
		}
	}
	if len(measure) > 0 {
		if start == nil {
			start = &measure[0]
		}
		end := measure[len(measure)-1]
		s.MeasuredSeconds = end.T - start.T
		if start.Phase != PhaseWarmup {
			s.MeasuredSeconds = end.T - start.T + 1
		}
		ok := 0
		for _, m := range measure {
			ok += m.OK
		}
		if cpu := meanOf(measure, func(m Sample) float64 { return m.CPU }); cpu >= 0 && s.MeasuredSeconds > 0 {
			s.CPUCores = cpu
			if ok > 0 {
				s.CPUPerRequest = 1000 * cpu * s.MeasuredSeconds / float64(ok)
			}
		}
		if cpu := meanOf(measure, func(m Sample) float64 { return m.UpCPU }); cpu >= 0 && s.MeasuredSeconds > 0 {
			s.UpstreamCPUCores = cpu
			if ok > 0 {
				s.UpstreamCPUPerRequest = 1000 * cpu * s.MeasuredSeconds / float64(ok)
			}
		}
		if s.MeasuredSeconds > 0 {
			s.AchievedRPS = float64(ok) / s.MeasuredSeconds
		}
		// Last window: the last minute, or the last third of a short run,
		// in whole samples.
		want := s.MeasuredSeconds / 3
		if s.MeasuredSeconds >= 180 {
			want = 60
		}
		// The window is made of whole samples (each counts the answers
		// since the one before), from the first sample after end-want.
		from, okWin := start.T, 0
		if start.Phase != PhaseWarmup {
			from = start.T - 1
		}
		for i, m := range measure {
			if m.T <= end.T-want+1e-6 {
				from = m.T
				continue
			}
			okWin += measure[i].OK
		}
		if win := end.T - from; win > 0 {
			s.LastWindowSeconds = win
			s.LastWindowRPS = float64(okWin) / win
			s.RPSRatio = s.LastWindowRPS / cfg.Rate
		}

		// A metric that could not be read at the boundary (a scrape that
		// timed out under overload) is taken from the nearest sample that
		// has it: the last one of the warm-up, the last one measured.
		at := func(f func(Sample) float64) (float64, float64) {
			a, b := -1.0, -1.0
			for _, sm := range r.Samples {
				v := f(sm)
				if v < 0 {
					continue
				}
				if sm.Phase == PhaseWarmup || (sm.Phase == PhaseMeasure && a < 0) {
					a = v
				}
				if sm.Phase == PhaseMeasure {
					b = v
				}
			}
			if a < 0 || b < 0 {
				return -1, -1
			}
			return a, b
		}
		if a, b := at(func(m Sample) float64 { return float64(m.RSS) }); a > 0 {
			s.RSSStartMB, s.RSSEndMB = a/1e6, b/1e6
			s.RSSGrowthPct = 100 * (b - a) / a
		}
		if a, b := at(func(m Sample) float64 { return m.HeapInuse }); a >= 0 {
			s.HeapStartMB, s.HeapEndMB = a/1e6, b/1e6
		}
		s.GoroutinesStart, s.GoroutinesEnd = at(func(m Sample) float64 { return m.Goroutines })
		if a, b := at(func(m Sample) float64 { return m.Rejected }); a >= 0 {
			s.RejectedByTarget = b - a
		}
		if a, b := at(func(m Sample) float64 { return float64(m.FDs) }); a >= 0 {
			s.FDsStart, s.FDsEnd = int(a), int(b)
		}
		third := max(1, len(measure)/3)
		s.GoroutinesFirstThird = meanOf(measure[:third], func(m Sample) float64 { return m.Goroutines })
		s.GoroutinesLastThird = meanOf(measure[len(measure)-third:], func(m Sample) float64 { return m.Goroutines })
	}
	for _, m := range r.Samples {
		if m.Phase == PhaseWarmup {
			continue
		}
		s.GoroutinesMax = max(s.GoroutinesMax, m.Goroutines)
		if m.RSS > 0 {
			s.RSSMaxMB = max(s.RSSMaxMB, float64(m.RSS)/1e6)
		}
		s.FDsMax = max(s.FDsMax, m.FDs)
		s.UpEstablishedMax = max(s.UpEstablishedMax, m.UpEst)
		s.UpTimeWaitMax = max(s.UpTimeWaitMax, m.UpTimeWait)
	}
	// New upstream connections: from the end of the warm-up to the last
	// sample (the drain included: those requests were due in the run).
	delta := func(f func(Sample) int64) int64 {
		first, last := int64(-1), int64(-1)
		for _, m := range r.Samples {
			v := f(m)
			if v < 0 {
				continue
			}
			if m.Phase == PhaseWarmup || first < 0 {
				first = v
			}
			last = v
		}
		if first < 0 {
			return -1
		}
		return last - first
	}
	if n := delta(func(m Sample) int64 { return m.UpNew }); n >= 0 {
		s.NewUpstreamConns, s.NewUpstreamConnsSource = n, SourceCounter
	} else if n := delta(func(m Sample) int64 { return m.UpNewPorts }); n >= 0 {
		s.NewUpstreamConns, s.NewUpstreamConnsSource = n, SourcePorts
	}
	if s.NewUpstreamConns >= 0 {
		if sent := s.Measured.Sent - s.Measured.ByClass[ErrOverload]; sent > 0 {
			s.UpstreamConnsPerRequest = float64(s.NewUpstreamConns) / float64(sent)
		}
	}
	s.Checks = checks(s, th)
	s.Pass = true
	for _, c := range s.Checks {
		switch {
		case c.Pass || c.Skipped:
		case c.Advisory:
			s.Flagged = append(s.Flagged, c.Name)
		default:
			s.Pass = false
		}
	}
	return s
}

func checks(s Summary, th Thresholds) []Check {
	var cs []Check
	add := func(name, want, got string, measured, pass bool) {
		cs = append(cs, Check{Name: name, Want: want, Got: got, Pass: measured && pass, Skipped: !measured})
	}
	add("rps", fmt.Sprintf(">= %.0f%% of %.0f rps over the last %.0fs", 100*th.MinRPSRatio, s.TargetRPS, s.LastWindowSeconds),
		fmt.Sprintf("%.1f rps (%.1f%%)", s.LastWindowRPS, 100*s.RPSRatio),
		s.LastWindowSeconds > 0, s.RPSRatio >= th.MinRPSRatio)
	add("errors", fmt.Sprintf("<= %d", th.MaxErrors), errorText(s.Measured),
		true, s.Measured.Errors <= th.MaxErrors)
	add("rss", fmt.Sprintf("growth <= %.1f%%", th.MaxRSSGrowthPct),
		fmt.Sprintf("%.1f -> %.1f MB (%+.1f%%)", s.RSSStartMB, s.RSSEndMB, s.RSSGrowthPct),
		s.RSSStartMB > 0, s.RSSGrowthPct <= th.MaxRSSGrowthPct)
	cs[len(cs)-1].Advisory = !th.RSSFails
	add("goroutines", fmt.Sprintf("last third <= %.1fx first third + %.0f", th.MaxGoroutineGrowth, th.GoroutineSlack),
		fmt.Sprintf("%.0f -> %.0f (max %.0f)", s.GoroutinesFirstThird, s.GoroutinesLastThird, s.GoroutinesMax),
		s.GoroutinesFirstThird >= 0 && s.GoroutinesLastThird >= 0,
		s.GoroutinesLastThird <= th.MaxGoroutineGrowth*s.GoroutinesFirstThird+th.GoroutineSlack)
	add("upstream conns", fmt.Sprintf("<= %.3f new per request", th.MaxUpstreamConnsPerRequest),
		fmt.Sprintf("%d new (%.4f per request)", s.NewUpstreamConns, s.UpstreamConnsPerRequest),
		s.UpstreamConnsPerRequest >= 0, s.UpstreamConnsPerRequest <= th.MaxUpstreamConnsPerRequest)
	return cs
}

func errorText(c Counts) string {
	if c.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d %v", c.Errors, c.ByClass)
}

// meanOf averages f over the samples where it was measured (>= 0); -1 if
// none was.
func meanOf(ss []Sample, f func(Sample) float64) float64 {
	sum, n := 0.0, 0
	for _, s := range ss {
		if v := f(s); v >= 0 {
			sum += v
			n++
		}
	}
	if n == 0 {
		return -1
	}
	return sum / float64(n)
}
