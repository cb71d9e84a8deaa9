package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/churnlint/churnlint/gateway/demoupstream"
)

func TestParseMix(t *testing.T) {
	m, err := ParseMix("call=2, list=1,read=0")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.String(); got != "call=2,list=1" {
		t.Errorf("String() = %q", got)
	}
	var seq []Op
	for i := range 6 {
		seq = append(seq, m.Pick(i))
	}
	want := []Op{OpCall, OpList, OpCall, OpCall, OpList, OpCall}
	for i := range want {
		if seq[i] != want[i] {
			t.Fatalf("Pick sequence %v, want %v", seq, want)
		}
	}
	if m.Has(OpRead) || !m.Has(OpList) {
		t.Error("Has is wrong")
	}
	for _, bad := range []string{"", "call", "call=x", "foo=1", "call=1,call=2", "call=0", "call=-1"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted", bad)
		}
	}
	d, err := ParseMix(DefaultMix)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Op]int{}
	for i := range 100 {
		counts[d.Pick(i)]++
	}
	if counts[OpCall] != 85 || counts[OpList] != 5 || counts[OpRead] != 5 || counts[OpPrompt] != 5 {
		t.Errorf("default mix over 100 requests: %v", counts)
	}
}

func TestLoopback(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080/mcp", "http://127.1.2.3/x", "http://[::1]:9/mcp", "http://localhost:1/"} {
		if err := CheckLoopbackURL(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1/mcp", "http://192.168.1.1:80/", "http://example.com/mcp", "https://127.0.0.1/",
		"http://0.0.0.0:80/", "ftp://127.0.0.1/", "http://[::ffff:10.0.0.1]/"} {
		if err := CheckLoopbackURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := CheckLoopbackAddr("127.0.0.1:9"); err != nil {
		t.Error(err)
	}
	if err := CheckLoopbackAddr("8.8.8.8:53"); err == nil {
		t.Error("8.8.8.8:53 accepted")
	}
}

func TestProcParsing(t *testing.T) {
	// A proc filesystem of two processes: 123 runs (a stat line as the
	// kernel writes it, its name with parentheses; three open fds), 124 is
	// a zombie, with no VmRSS.
	root := t.TempDir()
	proc := fstest.MapFS{
		"123/status": {Data: []byte("Name:\tx\nVmPeak:\t  100 kB\nVmRSS:\t    2048 kB\n")},
		"123/stat": {Data: []byte("123 (a (weird) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0 294997 3133440 362 18446744073709551615 " +
			"1 2 3 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 4 5 6 7 8 9 10 0\n")},
		"123/fd/0":   {}, // CountFDs counts the entries
		"123/fd/1":   {},
		"123/fd/2":   {},
		"124/status": {Data: []byte("Name:\tz\nState:\tZ (zombie)\n")},
	}
	if err := os.CopyFS(root, proc); err != nil {
		t.Fatal(err)
	}
	procRoot = root
	t.Cleanup(func() { procRoot = "/proc" })
	rss, err := ReadRSS(123)
	if err != nil || rss != 2048*1024 {
		t.Errorf("ReadRSS = %d, %v", rss, err)
	}
	if _, err := ReadRSS(124); err == nil {
		t.Error("no VmRSS accepted")
	}
	cpu, err := ReadCPU(123)
	if err != nil || cpu != 3*time.Second {
		t.Errorf("ReadCPU = %v, %v; want 3s (250 + 50 ticks)", cpu, err)
	}
	if n, err := CountFDs(123); err != nil || n != 3 {
		t.Errorf("CountFDs = %d, %v; want 3", n, err)
	}
	procRoot = "/proc"

	// Port 9001 is 0x2329.
	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:C350 0100007F:2329 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:2329 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:C351 0100007F:2329 06 00000000:00000000 03:00000AAA 00000000     0        0 0 3 0000000000000000
   4: 0100007F:2329 0100007F:C352 06 00000000:00000000 03:00000AAA 00000000     0        0 0 3 0000000000000000
   5: 0100007F:C353 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 20 4 30 10 -1
`
	var c TCPCount
	if err := countTCP([]byte(table), 9001, &c); err != nil {
		t.Fatal(err)
	}
	if c.Established != 1 || c.TimeWait != 2 || len(c.ClientPorts) != 1 || c.ClientPorts[0] != 0xC350 {
		t.Errorf("countTCP = %+v", c)
	}
	if _, err := ReadCPU(os.Getpid()); err != nil {
		t.Errorf("ReadCPU(self): %v", err)
	}
	if _, err := ReadRSS(os.Getpid()); err != nil {
		t.Errorf("ReadRSS(self): %v", err)
	}
	if n, err := CountFDs(os.Getpid()); err != nil || n < 3 {
		t.Errorf("CountFDs(self) = %d, %v", n, err)
	}
	if _, err := CountTCP(9); err != nil {
		t.Errorf("CountTCP: %v", err)
	}
}

func TestParseMetrics(t *testing.T) {
	page := `# HELP go_goroutines Number of goroutines.
# TYPE go_goroutines gauge
go_goroutines 42
go_memstats_heap_inuse_bytes 1.5e+06
demo_upstream_connections_accepted_total{a="x"} 3
demo_upstream_connections_accepted_total{a="y",b="}"} 4
go_goroutines_other 7
`
	m, err := parseMetrics(strings.NewReader(page), []string{MetricGoroutines, MetricHeapInuse, MetricUpstreamAccepted, "absent"})
	if err != nil {
		t.Fatal(err)
	}
	if m[MetricGoroutines] != 42 || m[MetricHeapInuse] != 1.5e6 || m[MetricUpstreamAccepted] != 7 {
		t.Errorf("parseMetrics = %v", m)
	}
	if _, ok := m["absent"]; ok {
		t.Error("absent metric reported")
	}
}

// synthetic builds samples: 5 s of warm-up, then 30 s at 100 ok/s, with
// goroutines and upstream connections as given.
func synthetic(goroutines func(t float64) float64, upNew func(t float64) int64) *Result {
	r := &Result{measure: newHist()}
	for i := 1; i <= 35; i++ {
		t := float64(i)
		phase := PhaseMeasure
		if i <= 5 {
			phase = PhaseWarmup
		}
		r.Samples = append(r.Samples, Sample{T: t, Phase: phase, OK: 100, RPS: 100, P50: 1, P99: 2, Max: 3, CPU: 0.5,
			RSS: 50e6, HeapInuse: 10e6, Goroutines: goroutines(t), FDs: 20, UpEst: 2, UpTimeWait: 0, UpNew: upNew(t), UpNewPorts: -1, UpOpen: 2})
		if phase == PhaseMeasure {
			for range 100 {
				_ = r.measure.RecordValue(1000)
			}
		}
	}
	r.measured = Counts{Sent: 3000, OK: 3000}
	return r
}

func TestSummarize(t *testing.T) {
	cfg := Config{Rate: 100, Warmup: 5 * time.Second, Duration: 30 * time.Second}
	th := DefaultThresholds()

	good := synthetic(func(float64) float64 { return 100 }, func(float64) int64 { return 2 })
	s := Summarize(good, cfg, th)
	if !s.Pass {
		t.Errorf("steady run failed: %+v", s.Checks)
	}
	if s.MeasuredSeconds != 30 || s.LastWindowSeconds != 10 || s.LastWindowRPS != 100 || s.RPSRatio != 1 {
		t.Errorf("rates: measured %v s, window %v s at %v rps (ratio %v)", s.MeasuredSeconds, s.LastWindowSeconds, s.LastWindowRPS, s.RPSRatio)
	}
	if s.CPUCores != 0.5 || s.CPUPerRequest != 5 {
		t.Errorf("CPU: %v cores, %v ms per request", s.CPUCores, s.CPUPerRequest)
	}
	if s.P50 != 1 || s.NewUpstreamConns != 0 || s.UpstreamConnsPerRequest != 0 {
		t.Errorf("p50 %v, new conns %d (%v per request)", s.P50, s.NewUpstreamConns, s.UpstreamConnsPerRequest)
	}

	grows := synthetic(func(float64) float64 { return 100 }, func(float64) int64 { return 2 })
	grows.Samples[len(grows.Samples)-1].RSS = 60e6
	s = Summarize(grows, cfg, th)
	if !s.Pass || len(s.Flagged) != 1 || s.Flagged[0] != "rss" || s.RSSGrowthPct != 20 {
		t.Errorf("RSS growth: pass %v, flagged %v, growth %.1f%%", s.Pass, s.Flagged, s.RSSGrowthPct)
	}
	strict := th
	strict.RSSFails = true
	if s = Summarize(grows, cfg, strict); s.Pass {
		t.Error("RSS growth passed with RSSFails")
	}

	churny := synthetic(func(t float64) float64 { return 100 + 200*t }, func(t float64) int64 { return int64(100 * t) })
	s = Summarize(churny, cfg, th)
	failed := map[string]bool{}
	for _, c := range s.Checks {
		if !c.Pass && !c.Skipped {
			failed[c.Name] = true
		}
	}
	if s.Pass || !failed["goroutines"] || !failed["upstream conns"] || failed["rps"] || failed["errors"] {
		t.Errorf("churny run: pass %v, failed %v", s.Pass, failed)
	}
	if s.NewUpstreamConns != 3000 || s.UpstreamConnsPerRequest != 1 {
		t.Errorf("churny: %d new conns, %v per request", s.NewUpstreamConns, s.UpstreamConnsPerRequest)
	}
}

func TestWriteRun(t *testing.T) {
	dir := t.TempDir()
	r := synthetic(func(t float64) float64 { return 100 + t }, func(float64) int64 { return 0 })
	r.Target = Target{Name: "synthetic", URL: "http://127.0.0.1:1/mcp", Token: "secret-token"}
	r.Summary = Summarize(r, Config{Rate: 100}, DefaultThresholds())
	if err := WriteRun(dir, r, DefaultThresholds()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"report.json", "samples.csv", "chart.png"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "report.json"))
	if strings.Contains(string(data), "secret-token") {
		t.Error("the token leaked into report.json")
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "samples.csv"))
	if lines := strings.Count(string(csv), "\n"); lines != 36 {
		t.Errorf("samples.csv has %d lines, want 36", lines)
	}
	other := synthetic(func(t float64) float64 { return 1000 * t }, func(float64) int64 { return -1 })
	other.Target.Name = "other"
	if err := WriteComparison(dir, []*Result{r, other}, DefaultThresholds(), map[string]any{"note": "x"}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	PrintTable(&b, []*Result{r, other})
	PrintVerdict(&b, r)
	if !strings.Contains(b.String(), "synthetic") || !strings.Contains(b.String(), "conns/request") {
		t.Errorf("table:\n%s", b.String())
	}
}

// TestRunInProcess sends a short load to an in-process demo server and
// checks the accounting.
func TestRunInProcess(t *testing.T) {
	mux := http.NewServeMux()
	mcpHandler := server.NewStreamableHTTPServer(demoupstream.New("demo"))
	var sourcesMu sync.Mutex
	sources := map[string]bool{}
	mux.Handle("/mcp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			sourcesMu.Lock()
			sources[host] = true
			sourcesMu.Unlock()
		}
		mcpHandler.ServeHTTP(w, r)
	}))
	var stats demoupstream.ConnStats
	mux.Handle("/metrics", stats.MetricsHandler())
	ts := httptest.NewUnstartedServer(mux)
	ts.Config.ConnState = stats.ConnState
	ts.Start()
	defer ts.Close()

	hc := ts.Client()
	cfg := Config{Rate: 100, Warmup: time.Second, Duration: 2 * time.Second, Sessions: 4, Timeout: 5 * time.Second, MaxInFlight: 100}
	var err error
	if cfg.Mix, err = ParseMix(DefaultMix); err != nil {
		t.Fatal(err)
	}
	target := Target{Name: "inprocess", URL: ts.URL + "/mcp", PID: os.Getpid(), MetricsURL: ts.URL + "/metrics", UpstreamMetricsURL: ts.URL + "/metrics"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, hc, target, cfg, DefaultThresholds(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if res.Names.Tool != "echo" || res.Names.Resource != "demo://greeting" || res.Names.Prompt != "greet" {
		t.Errorf("names: %+v", res.Names)
	}
	if total := s.Measured.Sent + s.Warmup.Sent; total != 300 {
		t.Errorf("sent %d requests, want 300", total)
	}
	if s.Measured.Errors != 0 || s.Warmup.Errors != 0 {
		t.Errorf("errors: %+v %+v", s.Measured, s.Warmup)
	}
	if s.Measured.ByOp[OpCall] == 0 || s.Measured.ByOp[OpList] == 0 {
		t.Errorf("mix not followed: %v", s.Measured.ByOp)
	}
	if s.P50 <= 0 || s.GoroutinesStart <= 0 || s.RSSStartMB <= 0 || s.UpstreamConnsPerRequest < 0 {
		t.Errorf("summary not filled: %+v", s)
	}
	if len(res.Samples) < 3 {
		t.Errorf("%d samples", len(res.Samples))
	}

	// Prepared POSTs (the overload run's generator): every call answered
	// with its own echo.
	raw := cfg
	raw.RawCalls, raw.Protocol = true, "2025-11-25"
	if raw.Mix, err = ParseMix("call=1"); err != nil {
		t.Fatal(err)
	}
	res, err = Run(ctx, hc, target, raw, DefaultThresholds(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Summary; s.Measured.OK+s.Warmup.OK != 300 || s.Measured.Errors+s.Warmup.Errors != 0 {
		t.Errorf("raw calls: %+v %+v", s.Measured, s.Warmup)
	}
	// They come from several loopback addresses, as several clients would.
	sourcesMu.Lock()
	if want := len(rawSourceAddrs(ts.URL)); len(sources) != want {
		t.Errorf("requests came from %v, want %d source addresses", sources, want)
	}
	sourcesMu.Unlock()

	if _, err := Run(ctx, hc, Target{Name: "x", URL: "http://10.1.2.3/mcp"}, cfg, DefaultThresholds(), nil); err == nil {
		t.Error("a non-loopback target was accepted")
	}
}

func TestGoroutinesAtRest(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("# TYPE go_goroutines gauge\ngo_goroutines 37\n"))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	ctx := context.Background()
	if g := goroutinesAtRest(ctx, ts.Client(), ts.URL+"/metrics", 0); g != 37 {
		t.Errorf("goroutines at rest = %v, want 37", g)
	}
	if g := goroutinesAtRest(ctx, ts.Client(), ts.URL+"/absent", 0); g != -1 {
		t.Errorf("from a page that is not there: %v, want -1", g)
	}
	if g := goroutinesAtRest(ctx, ts.Client(), "", 0); g != -1 {
		t.Errorf("without a metrics URL: %v, want -1", g)
	}
}

// TestLogTicksLabelANarrowRange: a log axis always has labelled ticks,
// also when its range holds none of 1, 2 and 5 times a power of ten.
func TestLogTicksLabelANarrowRange(t *testing.T) {
	for _, r := range [][2]float64{{24, 45}, {3, 4.5}, {5, 900}, {120, 530}} {
		labels := []string{}
		for _, tk := range logTicks(r[0], r[1]) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if len(labels) < 2 {
			t.Errorf("range %v: labels %v, want at least two", r, labels)
		}
	}
	got := []string{}
	for _, tk := range logTicks(24, 45) {
		got = append(got, tk.Label)
	}
	if strings.Join(got, " ") != "30 40" {
		t.Errorf("range 24..45: labels %q, want 30 40", got)
	}
}

// A target that refuses with 503 has those requests counted as refusals
// (typed, through RejectionDetector), with their own latency, not as
// transport errors; the upstream's CPU is sampled beside the target's.
func TestRefusalsAreClassified(t *testing.T) {
	mcpSrv := server.NewStreamableHTTPServer(demoupstream.New("demo"))
	mux := http.NewServeMux()
	mux.Handle("/mcp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, []byte(`"tools/call"`)) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mcpSrv.ServeHTTP(w, r)
	}))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	hc := &http.Client{Transport: RejectionDetector{Next: ts.Client().Transport}}
	cfg := Config{Rate: 100, Warmup: time.Second, Duration: 2 * time.Second, Sessions: 4, Timeout: 5 * time.Second, MaxInFlight: 100, Tool: "echo"}
	var err error
	if cfg.Mix, err = ParseMix(DefaultMix); err != nil {
		t.Fatal(err)
	}
	target := Target{Name: "refusing", URL: ts.URL + "/mcp", PID: os.Getpid(), UpstreamPID: os.Getpid()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, hc, target, cfg, DefaultThresholds(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	// Calls the harness did not send (its in-flight cap, on a busy
	// machine) are not the target's refusals.
	if calls := s.Measured.ByOp[OpCall] - s.Measured.ByClass[ErrOverload]; calls <= 0 || s.Rejected < calls || s.Measured.ByClass[ErrTransport] != 0 {
		t.Errorf("%d calls, %d refusals, classes %v", calls, s.Rejected, s.Measured.ByClass)
	}
	// The raw calls' own connections read the 503 themselves.
	raw := cfg
	raw.RawCalls, raw.Protocol = true, "2025-11-25"
	if raw.Mix, err = ParseMix("call=1"); err != nil {
		t.Fatal(err)
	}
	rawRes, err := Run(ctx, hc, target, raw, DefaultThresholds(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if rs := rawRes.Summary; rs.Rejected != rs.Measured.Sent-rs.Measured.ByClass[ErrOverload] || rs.Rejected == 0 || rs.Measured.Errors != rs.Rejected+rs.Measured.ByClass[ErrOverload] {
		t.Errorf("raw calls: %d refusals of %d sent, classes %v", rs.Rejected, rs.Measured.Sent, rs.Measured.ByClass)
	}
	if s.RejectedP99 < 0 || s.UpstreamCPUPerRequest < 0 || s.CPUPerRequest < 0 {
		t.Errorf("refusal p99 %v, upstream CPU %v, CPU %v ms per request", s.RejectedP99, s.UpstreamCPUPerRequest, s.CPUPerRequest)
	}
}

// The gateway's duration histogram is read by status code, the span
// between two reads is their difference, and its p99 is interpolated
// within its bucket.
func TestScrapeHistogram(t *testing.T) {
	page := func(ok503 int) string {
		return fmt.Sprintf(`# TYPE mcp_gateway_http_request_duration_seconds histogram
mcp_gateway_http_request_duration_seconds_bucket{code="200",route="mcp",le="0.001"} 10
mcp_gateway_http_request_duration_seconds_bucket{code="200",route="mcp",le="0.002"} 90
mcp_gateway_http_request_duration_seconds_bucket{code="200",route="mcp",le="+Inf"} 100
mcp_gateway_http_request_duration_seconds_sum{code="200",route="mcp"} 1
mcp_gateway_http_request_duration_seconds_count{code="200",route="mcp"} 100
mcp_gateway_http_request_duration_seconds_bucket{code="503",route="mcp",le="0.001"} %[1]d
mcp_gateway_http_request_duration_seconds_bucket{code="503",route="mcp",le="0.002"} %[1]d
mcp_gateway_http_request_duration_seconds_bucket{code="503",route="mcp",le="+Inf"} %[1]d
mcp_gateway_http_request_duration_seconds_sum{code="503",route="mcp"} 0
mcp_gateway_http_request_duration_seconds_count{code="503",route="mcp"} %[1]d
mcp_gateway_http_request_duration_seconds_bucket{code="200",route="metrics",le="0.001"} 0
mcp_gateway_http_request_duration_seconds_bucket{code="200",route="metrics",le="0.002"} 0
mcp_gateway_http_request_duration_seconds_bucket{code="200",route="metrics",le="+Inf"} 7
mcp_gateway_http_request_duration_seconds_sum{code="200",route="metrics"} 70
mcp_gateway_http_request_duration_seconds_count{code="200",route="metrics"} 7
`, ok503)
	}
	n := 5
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, page(n)) }))
	defer srv.Close()
	before, err := ScrapeHistogram(context.Background(), srv.Client(), srv.URL, MetricHTTPDuration, "code", "route", "mcp")
	if err != nil {
		t.Fatal(err)
	}
	n = 45
	after, err := ScrapeHistogram(context.Background(), srv.Client(), srv.URL, MetricHTTPDuration, "code", "route", "mcp")
	if err != nil {
		t.Fatal(err)
	}
	ok, refused := after["200"].Sub(before["200"]), after["503"].Sub(before["503"])
	if ok.Total() != 0 || refused.Total() != 40 || after["200"].Total() != 100 {
		t.Fatalf("totals: 200 %v (%v before), 503 %v", ok.Total(), after["200"].Total(), refused.Total())
	}
	// 99th of 100: in the +Inf bucket, answered with the highest bound;
	// 50th: between 1 and 2 ms, 40/80 of the way.
	if q := after["200"].Quantile(0.99); q != 0.002 {
		t.Errorf("p99 %v, want 0.002", q)
	}
	if q := after["200"].Quantile(0.5); math.Abs(q-0.0015) > 1e-9 {
		t.Errorf("p50 %v, want 0.0015", q)
	}
	if q := refused.Quantile(0.99); q <= 0 || q > 0.001 {
		t.Errorf("refusals' p99 %v, want within the first bucket", q)
	}
	if q := ok.Quantile(0.99); q != -1 {
		t.Errorf("empty span: %v, want -1", q)
	}
}

// readRawResponse reads a length-delimited answer, says whether the
// connection can be reused, and rejects what it cannot read.
func TestReadRawResponse(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		status     int
		body       string
		keep, fail bool
	}{
		{"ok", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", true, false},
		{"refusal closing", "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}", 503, "{}", false, false},
		{"no length", "HTTP/1.1 200 OK\r\n\r\nuntil close", 200, "until close", false, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 200, "", false, true},
		{"garbage", "SSH-2.0-OpenSSH\r\n", 0, "", false, true},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 200, "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, keep, err := readRawResponse(bufio.NewReader(strings.NewReader(tc.in)), nil)
			if (err != nil) != tc.fail {
				t.Fatalf("err %v, want failure %v", err, tc.fail)
			}
			if tc.fail {
				return
			}
			if status != tc.status || string(body) != tc.body || keep != tc.keep {
				t.Errorf("got %d %q keep=%v, want %d %q keep=%v", status, body, keep, tc.status, tc.body, tc.keep)
			}
		})
	}
}
