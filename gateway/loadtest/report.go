package loadtest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteRun writes report.json, samples.csv and chart.png of one run into dir.
func WriteRun(dir string, r *Result, th Thresholds) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	report := struct {
		*Result
		Thresholds Thresholds `json:"thresholds"`
	}{r, th}
	if err := writeJSON(filepath.Join(dir, "report.json"), report); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "samples.csv"), r.Samples); err != nil {
		return err
	}
	return WriteChart(filepath.Join(dir, "chart.png"), r.Target.Name+": "+r.Config.Mix+" at "+fmtRate(r.Config.Rate),
		[]Series{{Name: r.Target.Name, Samples: r.Samples}}, warmupEnd(r))
}

// WriteJSON writes v, indented, to path.
func WriteJSON(path string, v any) error { return writeJSON(path, v) }

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

var csvHeader = []string{"t_s", "phase", "sent", "ok", "errors", "in_flight", "rps", "p50_ms", "p99_ms", "max_ms",
	"cpu_cores", "rss_bytes", "heap_inuse_bytes", "goroutines", "fds", "upstream_established", "upstream_time_wait",
	"upstream_new_conns", "upstream_new_ports", "upstream_open_conns", "upstream_cpu_cores", "rejected_total"}

func writeCSV(path string, samples []Sample) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(csvHeader)
	num := func(v float64) string {
		if v < 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	for _, s := range samples {
		_ = w.Write([]string{
			strconv.FormatFloat(s.T, 'f', 3, 64), s.Phase, strconv.Itoa(s.Sent), strconv.Itoa(s.OK),
			strconv.Itoa(s.Errors), strconv.Itoa(s.InFlight), strconv.FormatFloat(s.RPS, 'f', 1, 64),
			num(s.P50), num(s.P99), num(s.Max), num(s.CPU), num(float64(s.RSS)), num(s.HeapInuse), num(s.Goroutines),
			num(float64(s.FDs)), num(float64(s.UpEst)), num(float64(s.UpTimeWait)), num(float64(s.UpNew)),
			num(float64(s.UpNewPorts)), num(float64(s.UpOpen)), num(s.UpCPU), num(s.Rejected),
		})
	}
	w.Flush()
	return joinErr(w.Error(), f.Close())
}

func joinErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func warmupEnd(r *Result) float64 {
	for i := len(r.Samples) - 1; i >= 0; i-- {
		if r.Samples[i].Phase == PhaseWarmup {
			return r.Samples[i].T
		}
	}
	return 0
}

func fmtRate(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) + " rps" }

// PrintVerdict prints one run's checks.
func PrintVerdict(w io.Writer, r *Result) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tcheck\twant\tgot\n", r.Target.Name)
	for _, c := range r.Summary.Checks {
		verdict := "FAIL"
		switch {
		case c.Skipped:
			verdict = "n/a"
		case c.Pass:
			verdict = "ok"
		case c.Advisory:
			verdict = "FLAG"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", verdict, c.Name, c.Want, c.Got)
	}
	tw.Flush()
	fmt.Fprintf(w, "verdict %s: %s\n", r.Target.Name, verdictText(r.Summary))
}

func verdictText(s Summary) string {
	v := "FAIL"
	if s.Pass {
		v = "PASS"
	}
	if len(s.Flagged) > 0 {
		v += " (flagged: " + strings.Join(s.Flagged, ", ") + ")"
	}
	return v
}

// PrintTable prints the side-by-side table of several runs. With a run
// named "direct" among them, latencies are also shown as a multiple of the
// direct run's.
func PrintTable(w io.Writer, runs []*Result) {
	var direct *Result
	for _, r := range runs {
		if r.Target.Name == KindDirect {
			direct = r
		}
	}
	rows := [][]string{{"", "target rps", "achieved rps", "last-window rps", "p50 ms", "p99 ms", "max ms", "errors",
		"CPU cores", "CPU ms/request", "upstream CPU ms/answer", "rejected (503)", "rejected p99 ms", "served p99 ms (200 / 503)", "harness send lag p99 ms", "RSS MB start->end", "heap MB start->end", "goroutines start->end (max)", "goroutines at rest", "fds max",
		"upstream ESTAB max", "TIME_WAIT max", "TIME_WAIT after stop", "new upstream conns", "conns/request", "verdict"}}
	if direct != nil {
		rows[0] = append(rows[0], "p50 x direct", "p99 x direct")
	}
	for _, r := range runs {
		s := r.Summary
		row := []string{
			r.Target.Name, f0(s.TargetRPS), f1(s.AchievedRPS), f1(s.LastWindowRPS), f2(s.P50), f2(s.P99), f1(s.Max),
			strconv.FormatInt(s.Measured.Errors, 10), f2(s.CPUCores), f2(s.CPUPerRequest), f2(s.UpstreamCPUPerRequest),
			strconv.FormatInt(s.Rejected, 10), f2(s.RejectedP99), f2(s.ServedP99) + " / " + f2(s.ServedRejectedP99), f2(s.SendLagP99),
			pair(s.RSSStartMB, s.RSSEndMB, 1), pair(s.HeapStartMB, s.HeapEndMB, 1),
			pair(s.GoroutinesStart, s.GoroutinesEnd, 0) + " (" + f0(s.GoroutinesMax) + ")", f0(s.GoroutinesAtRest),
			i0(s.FDsMax), i0(s.UpEstablishedMax), i0(s.UpTimeWaitMax), i0(s.UpTimeWaitAfterStop),
			i0(int(s.NewUpstreamConns)), f4(s.UpstreamConnsPerRequest), verdictText(s),
		}
		if direct != nil {
			row = append(row, ratio(s.P50, direct.Summary.P50), ratio(s.P99, direct.Summary.P99))
		}
		rows = append(rows, row)
	}
	// Transposed: one column per target reads better with many metrics.
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	for c := range rows[0] {
		var line []string
		for _, row := range rows {
			line = append(line, row[c])
		}
		fmt.Fprintln(tw, strings.Join(line, "\t")+"\t")
	}
	tw.Flush()
}

func f0(v float64) string { return na(v, strconv.FormatFloat(v, 'f', 0, 64)) }
func f1(v float64) string { return na(v, strconv.FormatFloat(v, 'f', 1, 64)) }
func f2(v float64) string { return na(v, strconv.FormatFloat(v, 'f', 2, 64)) }
func f4(v float64) string { return na(v, strconv.FormatFloat(v, 'f', 4, 64)) }
func i0(v int) string     { return na(float64(v), strconv.Itoa(v)) }

func na(v float64, s string) string {
	if v < 0 {
		return "n/a"
	}
	return s
}

func pair(a, b float64, prec int) string {
	if a < 0 || b < 0 {
		return "n/a"
	}
	return strconv.FormatFloat(a, 'f', prec, 64) + "->" + strconv.FormatFloat(b, 'f', prec, 64)
}

func ratio(a, b float64) string {
	if a < 0 || b <= 0 {
		return "n/a"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "x"
}

// WriteComparison writes report.json (every run's summary) and
// compare.png (all runs on one chart) into dir.
func WriteComparison(dir string, runs []*Result, th Thresholds, extra map[string]any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	report := map[string]any{"runs": runs, "thresholds": th}
	for k, v := range extra {
		report[k] = v
	}
	if err := writeJSON(filepath.Join(dir, "report.json"), report); err != nil {
		return err
	}
	var series []Series
	for _, r := range runs {
		series = append(series, Series{Name: r.Target.Name, Samples: r.Samples})
	}
	title := "comparison"
	if len(runs) > 0 {
		title = "comparison: " + runs[0].Config.Mix + " at " + fmtRate(runs[0].Config.Rate)
	}
	we := 0.0
	if len(runs) > 0 {
		we = warmupEnd(runs[0])
	}
	return WriteChart(filepath.Join(dir, "compare.png"), title, series, we)
}
