package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// Limits that keep every run bounded.
const (
	MaxRate      = 20000
	MaxRunTime   = 6 * time.Hour
	MaxSessions  = 10000
	MaxInFlight  = 20000
	maxLatencyUS = int64(10 * time.Minute / time.Microsecond)
	sessionSetup = 30 * time.Second // opening all sessions
	// MaxConnsPerTarget is how many connections the harness's transport
	// opens to one target: under the reference gateway's default
	// http.max_conns_per_ip (256), with room for the metrics pollers.
	MaxConnsPerTarget = 240
	// rawConnsPerSource is how many connections of its own the raw
	// calls' pool opens from each source address (beside the HTTP
	// client's few for sessions and metrics, all under the reference's
	// http.max_conns_per_ip, 256); rawSources is how many loopback
	// source addresses it spreads them over (127.0.0.1 to 127.0.0.4,
	// for a target on 127.0.0.1): several clients, so that under 4x
	// overload the gateway sees more requests at once than it admits and
	// queues (192 + 48), and refuses the rest at once, as it would
	// refuse many clients' requests.
	rawConnsPerSource = 200
	rawSources        = 4
)

// RawConnsFor is how many connections the raw calls' pool opens to
// target (a loopback URL): rawConnsPerSource from each source address.
func RawConnsFor(target string) int { return rawConnsPerSource * len(rawSourceAddrs(target)) }

// Config is the load to send.
type Config struct {
	Rate     float64       // requests per second, open loop
	Warmup   time.Duration // load before the measurement starts
	Duration time.Duration // measured load after the warm-up
	Sessions int           // downstream MCP sessions the requests are spread over
	Mix      Mix
	Timeout  time.Duration // per request
	// MaxInFlight bounds concurrent requests; a request that would exceed
	// it is not sent and counts as an "overload" error.
	MaxInFlight int
	// Protocol pins the MCP revision the harness's sessions speak; empty:
	// the newest the target accepts (mcp-go's client negotiates down).
	// A comparison with a peer pins one both speak, so that every target
	// answers the same requests.
	Protocol string
	// RawCalls sends each tools/call as one HTTP POST of a prepared
	// JSON-RPC body on the session (checked by the echo in the answer)
	// instead of through mcp-go's client: a cheaper generator, for
	// rates the harness could not otherwise produce beside the target on
	// the same cores (the overload run).
	RawCalls bool
	// Names on the target; empty means found in its catalog (a tool
	// "echo" or "<prefix>__echo", resource ".../demo://greeting", prompt
	// "greet" or "<prefix>__greet").
	Tool, Resource, Prompt string
}

// Validate checks that the run is bounded.
func (c Config) Validate() error {
	var errs []error
	if c.Rate <= 0 || c.Rate > MaxRate {
		errs = append(errs, fmt.Errorf("rate must be in (0, %d]", MaxRate))
	}
	if c.Duration <= 0 || c.Warmup < 0 || c.Warmup+c.Duration > MaxRunTime {
		errs = append(errs, fmt.Errorf("duration must be positive, warm-up non-negative, and together at most %s", MaxRunTime))
	}
	if c.Sessions < 1 || c.Sessions > MaxSessions {
		errs = append(errs, fmt.Errorf("sessions must be in 1..%d", MaxSessions))
	}
	if c.Timeout <= 0 || c.Timeout > 5*time.Minute {
		errs = append(errs, errors.New("timeout must be in (0, 5m]"))
	}
	if c.MaxInFlight < 1 || c.MaxInFlight > MaxInFlight {
		errs = append(errs, fmt.Errorf("max in-flight must be in 1..%d", MaxInFlight))
	}
	if len(c.Mix.Ops) == 0 {
		errs = append(errs, errors.New("empty mix"))
	}
	return errors.Join(errs...)
}

// Target is what the load is sent to and what is sampled.
type Target struct {
	Name  string `json:"name"`
	URL   string `json:"url"` // MCP endpoint (streamable HTTP)
	Token string `json:"-"`   // bearer token, if the target wants one
	// PID is the process whose RSS and fds are sampled; 0: none.
	PID int `json:"pid,omitempty"`
	// UpstreamPID is the upstream's process, whose CPU per answer is
	// sampled beside the target's; 0: none. For a direct run it is PID.
	UpstreamPID int `json:"upstream_pid,omitempty"`
	// MetricsURL is the target's Prometheus endpoint (go_goroutines,
	// go_memstats_heap_inuse_bytes); empty: none.
	MetricsURL string `json:"metrics_url,omitempty"`
	// UpstreamPort is the upstream's TCP port: sockets to it are counted.
	UpstreamPort int `json:"upstream_port,omitempty"`
	// UpstreamMetricsURL is the demo upstream's metrics endpoint with its
	// accepted-connections counter; empty: new upstream connections are
	// estimated from /proc/net/tcp.
	UpstreamMetricsURL string `json:"upstream_metrics_url,omitempty"`
}

func (t Target) check() error {
	if t.URL == "" {
		return errors.New("target has no URL")
	}
	var errs []error
	for _, u := range []string{t.URL, t.MetricsURL, t.UpstreamMetricsURL} {
		if u != "" {
			errs = append(errs, CheckLoopbackURL(u))
		}
	}
	return errors.Join(errs...)
}

// Phases of a run.
const (
	PhaseWarmup  = "warmup"
	PhaseMeasure = "measure"
	PhaseDrain   = "drain"
)

// Error classes.
const (
	ErrOverload  = "overload"   // not sent: max in-flight reached
	ErrTimeout   = "timeout"    // no answer within the request timeout
	ErrTransport = "error"      // HTTP or JSON-RPC error
	ErrTool      = "tool_error" // the tool answered isError
	ErrResult    = "bad_result" // an answer with the wrong content
	ErrCanceled  = "canceled"   // the run was interrupted
	// ErrRejected: the target refused at once with HTTP 503 (admission
	// control), which is what it should do beyond its capacity; counted
	// apart from failures, with its own latency.
	ErrRejected = "rejected"
)

// RejectedError is what the harness's HTTP client returns for an HTTP 503
// (see RejectionDetector): mcp-go's client reports a non-200 status only as
// text, so the refusal is recognised before mcp-go sees it.
type RejectedError struct{ RetryAfter string }

func (e *RejectedError) Error() string {
	return "target refused with 503 (Retry-After " + e.RetryAfter + ")"
}

// RejectionDetector turns HTTP 503 answers into a *RejectedError, so a
// refusal is classified by type. It drains the answer, so the connection
// is reused.
type RejectionDetector struct{ Next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (d RejectionDetector) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.Next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil, &RejectedError{RetryAfter: resp.Header.Get("Retry-After")}
}

// CloseIdleConnections forwards to the wrapped transport.
func (d RejectionDetector) CloseIdleConnections() {
	if c, ok := d.Next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Sample is one second of a run. -1 means "not measured".
type Sample struct {
	T          float64 `json:"t"` // seconds since the load started, at the end of this second
	Phase      string  `json:"phase"`
	Sent       int     `json:"sent"`
	OK         int     `json:"ok"`     // successful answers in this second
	Errors     int     `json:"errors"` // failures in this second
	InFlight   int     `json:"in_flight"`
	RPS        float64 `json:"rps"`                // successful answers per second
	P50        float64 `json:"p50_ms"`             // latency of the answers in this second
	P99        float64 `json:"p99_ms"`             //
	Max        float64 `json:"max_ms"`             //
	CPU        float64 `json:"cpu_cores"`          // CPU the target used in this second, in cores
	UpCPU      float64 `json:"upstream_cpu_cores"` // CPU the upstream used in this second, in cores
	Rejected   float64 `json:"rejected_total"`     // the target's admission-rejection counter (mcp_gateway_admission_rejected_total), cumulative
	RSS        int64   `json:"rss_bytes"`
	HeapInuse  float64 `json:"heap_inuse_bytes"`
	Goroutines float64 `json:"goroutines"`
	FDs        int     `json:"fds"`
	UpEst      int     `json:"upstream_established"` // ESTABLISHED sockets to the upstream port
	UpTimeWait int     `json:"upstream_time_wait"`   // TIME_WAIT sockets on the upstream port
	UpNew      int64   `json:"upstream_new_conns"`   // new upstream connections since the load started (upstream's counter)
	UpNewPorts int64   `json:"upstream_new_ports"`   // the same estimated from distinct client ports in /proc/net/tcp
	UpOpen     int64   `json:"upstream_open_conns"`  // connections the upstream holds open
}

// Result is one run against one target.
type Result struct {
	Target  Target     `json:"target"`
	Config  ConfigInfo `json:"config"`
	Started time.Time  `json:"started"`
	Names   struct {
		Tool     string `json:"tool,omitempty"`
		Resource string `json:"resource,omitempty"`
		Prompt   string `json:"prompt,omitempty"`
	} `json:"names"`
	Summary Summary  `json:"summary"`
	Notes   []string `json:"notes,omitempty"`
	Samples []Sample `json:"-"` // in samples.csv

	measure  *hdrhistogram.Histogram
	rejected *hdrhistogram.Histogram // latency of refusals (ErrRejected) due after the warm-up
	// sendLag is how late the generator handed each measured request to
	// the HTTP client (or counted it as overload): the harness's own
	// falling behind, which the latencies above include.
	sendLag *hdrhistogram.Histogram
	// served is the target's own histogram of the time it held each
	// request, by status code, over the measurement (nil: not exposed).
	served   map[string]Buckets
	measured Counts // requests due after the warm-up
	warm     Counts // requests due during the warm-up
}

// ConfigInfo is Config as written to report.json.
type ConfigInfo struct {
	Rate        float64 `json:"rps"`
	Warmup      string  `json:"warmup"`
	Duration    string  `json:"duration"`
	Sessions    int     `json:"sessions"`
	Mix         string  `json:"mix"`
	Timeout     string  `json:"timeout"`
	MaxInFlight int     `json:"max_in_flight"`
	Protocol    string  `json:"protocol,omitempty"`
}

func (c Config) info() ConfigInfo {
	return ConfigInfo{
		Rate: c.Rate, Warmup: c.Warmup.String(), Duration: c.Duration.String(),
		Sessions: c.Sessions, Mix: c.Mix.String(), Timeout: c.Timeout.String(), MaxInFlight: c.MaxInFlight,
		Protocol: c.Protocol,
	}
}

// Run opens the sessions, sends the load and samples the target every
// second until the load is over and every request has finished (at most
// the request timeout after the last one was sent). hc carries every
// request the run makes: the caller creates it once and shares it.
func Run(ctx context.Context, hc *http.Client, t Target, cfg Config, th Thresholds, logf func(string, ...any)) (*Result, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	sessions, err := openSessions(ctx, hc, t, cfg.Sessions, cfg.Protocol)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, s := range sessions {
			_ = s.Close()
		}
	}()
	res := &Result{Target: t, Config: cfg.info()}
	if err := res.findNames(ctx, sessions[0], cfg); err != nil {
		return nil, err
	}
	logf("%s: %d sessions open on %s; sending %.0f rps for %s warm-up + %s (mix %s)",
		t.Name, len(sessions), t.URL, cfg.Rate, cfg.Warmup, cfg.Duration, cfg.Mix)

	g := &generator{cfg: cfg, sessions: sessions, res: res, hc: hc, target: t}
	g.win.hist = newHist()
	res.measure = newHist()
	res.rejected = newHist()
	res.sendLag = newHist()
	pollCtx, stopPolling := context.WithCancel(ctx)
	var polling sync.WaitGroup
	defer polling.Wait()
	defer stopPolling()
	s := &sampler{t: t}
	s.baseline(pollCtx, hc, &polling)

	start := time.Now()
	res.Started = start.UTC()
	g.win.from = start
	g.measureFrom = start.Add(cfg.Warmup)
	if cfg.RawCalls {
		if g.raw, err = newRawPool(ctx, g, rawConnsPerSource); err != nil {
			return nil, err
		}
	}
	sendDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		g.send(ctx, start)
		if g.raw != nil {
			g.raw.close()
		}
	}()
	// The target's own view of the measurement: its duration histogram
	// at the end of the warm-up and once every request has finished.
	servedAtStart := make(chan map[string]Buckets, 1)
	if t.MetricsURL != "" {
		polling.Add(1)
		go func() {
			defer polling.Done()
			sleepCtx(pollCtx, time.Until(g.measureFrom))
			servedAtStart <- scrapeServed(pollCtx, hc, t.MetricsURL)
		}()
	} else {
		servedAtStart <- nil
	}

	end := start.Add(cfg.Warmup + cfg.Duration)
	hardStop := end.Add(cfg.Timeout + 5*time.Second)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	sent := false
	for k := 1; ; k++ {
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
		now := time.Now()
		w := g.swap()
		sm := Sample{T: now.Sub(start).Seconds(), Sent: w.sent, OK: w.ok, Errors: w.errs, InFlight: int(g.inflight.Load())}
		switch {
		case !now.After(g.measureFrom.Add(100 * time.Millisecond)):
			sm.Phase = PhaseWarmup
		case !now.After(end.Add(100 * time.Millisecond)):
			sm.Phase = PhaseMeasure
		default:
			sm.Phase = PhaseDrain
		}
		sm.RPS = float64(w.ok) / w.length(now).Seconds()
		sm.P50, sm.P99, sm.Max = -1, -1, -1
		if w.hist.TotalCount() > 0 {
			sm.P50 = ms(w.hist.ValueAtQuantile(50))
			sm.P99 = ms(w.hist.ValueAtQuantile(99))
			sm.Max = ms(w.hist.Max())
		}
		s.sample(&sm)
		res.Samples = append(res.Samples, sm)
		if k%10 == 0 {
			logf("%s: t=%3.0fs %-7s ok/s=%6.0f err=%d p99=%.1fms in-flight=%d goroutines=%.0f rss=%.0fMB",
				t.Name, sm.T, sm.Phase, sm.RPS, sm.Errors, sm.P99, sm.InFlight, sm.Goroutines, float64(sm.RSS)/1e6)
		}
		select {
		case <-sendDone:
			sent = true
		default:
		}
		if ctx.Err() != nil || (sent && g.inflight.Load() == 0 && now.After(end)) || now.After(hardStop) {
			break
		}
	}
	<-sendDone
	g.wg.Wait() // every request has a timeout, so this ends
	g.mu.Lock()
	res.measured, res.warm = g.measured, g.warm
	g.mu.Unlock()
	if before := <-servedAtStart; before != nil {
		if after := scrapeServed(ctx, hc, t.MetricsURL); after != nil {
			res.served = map[string]Buckets{}
			for code, b := range after {
				res.served[code] = b.Sub(before[code])
			}
		}
	}
	res.Summary = Summarize(res, cfg, th)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("run interrupted: %w", err)
	}
	return res, nil
}

func ms(us int64) float64 { return float64(us) / 1000 }

// scrapeServed reads the target's MCP route durations by status code; nil
// when it has none (targets other than the reference gateway).
func scrapeServed(ctx context.Context, hc *http.Client, url string) map[string]Buckets {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	b, err := ScrapeHistogram(ctx, hc, url, MetricHTTPDuration, "code", "route", "mcp")
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, maxLatencyUS, 3)
}

// openSessions opens n MCP client sessions on the shared HTTP client, eight
// at a time.
func openSessions(ctx context.Context, hc *http.Client, t Target, n int, protocol string) ([]*client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, sessionSetup)
	defer cancel()
	headers := map[string]string{}
	if t.Token != "" {
		headers["Authorization"] = "Bearer " + t.Token
	}
	sessions := make([]*client.Client, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			sessions[i], errs[i] = openSession(ctx, hc, t.URL, headers, protocol)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, s := range sessions {
			if s != nil {
				_ = s.Close()
			}
		}
		return nil, fmt.Errorf("opening sessions to %s: %w", t.URL, err)
	}
	return sessions, nil
}

func openSession(ctx context.Context, hc *http.Client, endpoint string, headers map[string]string, protocol string) (*client.Client, error) {
	if len(headers) > 0 {
		// mcp-go's client leaves its headers off the DELETE that ends a
		// session: against a gateway that counts failed authentications
		// per IP, a run's closing sessions would lock the next run out.
		// The headers go on every request, on hc's shared transport.
		hc = &http.Client{Transport: withHeaders{next: hc.Transport, headers: headers}}
	}
	tr, err := transport.NewStreamableHTTP(endpoint, transport.WithHTTPBasicClient(hc), transport.WithHTTPHeaders(headers))
	if err != nil {
		return nil, err
	}
	var opts []client.ClientOption
	if protocol != "" {
		opts = append(opts, client.WithProtocolVersion(protocol))
	}
	c := client.NewClient(tr, opts...)
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	info := mcp.Implementation{Name: "churnlint-loadtest", Version: "1"}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: info}}); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// findNames picks the tool, resource and prompt the mix needs from the
// target's catalog, unless the config names them.
func (r *Result) findNames(ctx context.Context, c *client.Client, cfg Config) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	r.Names.Tool, r.Names.Resource, r.Names.Prompt = cfg.Tool, cfg.Resource, cfg.Prompt
	if cfg.Mix.Has(OpCall) && r.Names.Tool == "" {
		tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
		if err != nil {
			return fmt.Errorf("tools/list: %w", err)
		}
		var names []string
		for _, t := range tools.Tools {
			names = append(names, t.Name)
		}
		if r.Names.Tool = pickName(names, "echo", "__"); r.Names.Tool == "" {
			return fmt.Errorf("no echo tool among %v (set the tool name)", names)
		}
	}
	if cfg.Mix.Has(OpRead) && r.Names.Resource == "" {
		res, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
		if err != nil {
			return fmt.Errorf("resources/list: %w", err)
		}
		var uris []string
		for _, x := range res.Resources {
			uris = append(uris, x.URI)
		}
		if r.Names.Resource = pickName(uris, "demo://greeting", "__"); r.Names.Resource == "" {
			return fmt.Errorf("no demo://greeting resource among %v (set the resource URI)", uris)
		}
	}
	if cfg.Mix.Has(OpPrompt) && r.Names.Prompt == "" {
		prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		if err != nil {
			return fmt.Errorf("prompts/list: %w", err)
		}
		var names []string
		for _, p := range prompts.Prompts {
			names = append(names, p.Name)
		}
		if r.Names.Prompt = pickName(names, "greet", "__"); r.Names.Prompt == "" {
			return fmt.Errorf("no greet prompt among %v (set the prompt name)", names)
		}
	}
	return nil
}

// pickName returns want itself if listed, else the first "<prefix><sep>want".
func pickName(names []string, want, sep string) string {
	for _, n := range names {
		if n == want {
			return n
		}
	}
	for _, n := range names {
		if strings.HasSuffix(n, sep+want) {
			return n
		}
	}
	return ""
}

// window is what happened in the current second.
type window struct {
	from           time.Time
	sent, ok, errs int
	hist           *hdrhistogram.Histogram
}

func (w window) length(now time.Time) time.Duration {
	if d := now.Sub(w.from); d > 0 {
		return d
	}
	return time.Second
}

// generator sends the load and records what comes back.
type generator struct {
	cfg         Config
	hc          *http.Client
	target      Target
	sessions    []*client.Client
	res         *Result
	measureFrom time.Time
	inflight    atomic.Int64
	wg          sync.WaitGroup

	mu       sync.Mutex
	win      window
	spare    *hdrhistogram.Histogram
	measured Counts
	warm     Counts

	// raw sends the raw calls (RawCalls) on connections of its own.
	raw *rawPool
	// What raw calls share (RawCalls), made once.
	rawOnce                         sync.Once
	rawPrefix, rawMiddle, rawSuffix []byte
	rawHeaders                      []http.Header // per session
}

// Counts are request outcomes.
type Counts struct {
	Sent    int64            `json:"sent"`
	OK      int64            `json:"ok"`
	Errors  int64            `json:"errors"`
	ByClass map[string]int64 `json:"errors_by_class,omitempty"`
	ByOp    map[Op]int64     `json:"sent_by_op,omitempty"`
}

func (c *Counts) add(op Op, class string) {
	if c.ByOp == nil {
		c.ByOp = map[Op]int64{}
	}
	c.Sent++
	c.ByOp[op]++
	if class == "" {
		c.OK++
		return
	}
	if c.ByClass == nil {
		c.ByClass = map[string]int64{}
	}
	c.Errors++
	c.ByClass[class]++
}

// send dispatches every request of the run on schedule: request i is due
// at start + i/rate whatever happened to the earlier ones (open loop). A
// request that falls behind is sent at once; latency is measured from when
// it was due, so a stalled target shows as latency, not as a lower rate.
func (g *generator) send(ctx context.Context, start time.Time) {
	total := int((g.cfg.Warmup + g.cfg.Duration).Seconds() * g.cfg.Rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for i := range total {
		due := start.Add(time.Duration(float64(i) * float64(time.Second) / g.cfg.Rate))
		if d := time.Until(due); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return
			}
		} else if ctx.Err() != nil {
			return
		}
		op := g.cfg.Mix.Pick(i)
		if !due.Before(g.measureFrom) {
			// Only this goroutine writes it; it is read once send returned.
			_ = g.res.sendLag.RecordValue(max(1, min(time.Since(due).Microseconds(), maxLatencyUS)))
		}
		g.mu.Lock()
		g.win.sent++
		g.mu.Unlock()
		if g.inflight.Load() >= int64(g.cfg.MaxInFlight) {
			g.record(op, due, time.Now(), ErrOverload)
			continue
		}
		g.inflight.Add(1)
		g.wg.Add(1)
		if g.raw != nil && op == OpCall {
			g.raw.jobs <- rawJob{i: i, due: due} // never blocks: MaxInFlight is its capacity
			continue
		}
		go func() {
			defer g.wg.Done()
			defer g.inflight.Add(-1)
			class := g.do(ctx, i, op)
			g.record(op, due, time.Now(), class)
		}()
	}
}

// do sends request i and classifies the outcome ("" is success).
func (g *generator) do(ctx context.Context, i int, op Op) string {
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	s := g.sessions[i%len(g.sessions)]
	var err error
	bad := false
	switch {
	case op == OpCall && g.cfg.RawCalls:
		bad, err = g.rawCall(ctx, i)
	case op == OpCall:
		msg := "load-" + strconv.Itoa(i)
		req := mcp.CallToolRequest{}
		req.Params.Name = g.res.Names.Tool
		req.Params.Arguments = map[string]any{"message": msg}
		var res *mcp.CallToolResult
		if res, err = s.CallTool(ctx, req); err == nil {
			if res.IsError {
				return ErrTool
			}
			bad = len(res.Content) != 1 || textOf(res.Content[0]) != msg
		}
	case op == OpList:
		var res *mcp.ListToolsResult
		if res, err = s.ListTools(ctx, mcp.ListToolsRequest{}); err == nil {
			bad = len(res.Tools) == 0
		}
	case op == OpRead:
		req := mcp.ReadResourceRequest{}
		req.Params.URI = g.res.Names.Resource
		var res *mcp.ReadResourceResult
		if res, err = s.ReadResource(ctx, req); err == nil {
			bad = len(res.Contents) == 0
		}
	case op == OpPrompt:
		req := mcp.GetPromptRequest{}
		req.Params.Name = g.res.Names.Prompt
		req.Params.Arguments = map[string]string{"name": "load"}
		var res *mcp.GetPromptResult
		if res, err = s.GetPrompt(ctx, req); err == nil {
			bad = len(res.Messages) == 0
		}
	}
	switch {
	case err == nil && bad:
		return ErrResult
	case err == nil:
		return ""
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	case errors.Is(err, context.Canceled):
		return ErrCanceled
	case errors.As(err, new(*RejectedError)):
		return ErrRejected
	}
	return ErrTransport
}

func textOf(c mcp.Content) string {
	switch t := c.(type) {
	case mcp.TextContent:
		return t.Text
	case *mcp.TextContent:
		return t.Text
	}
	return ""
}

func (g *generator) record(op Op, due, done time.Time, class string) {
	lat := done.Sub(due).Microseconds()
	lat = max(1, min(lat, maxLatencyUS))
	g.mu.Lock()
	defer g.mu.Unlock()
	if class == "" {
		g.win.ok++
		_ = g.win.hist.RecordValue(lat)
	} else {
		g.win.errs++
	}
	if due.Before(g.measureFrom) {
		g.warm.add(op, class)
		return
	}
	g.measured.add(op, class)
	switch class {
	case "":
		_ = g.res.measure.RecordValue(lat)
	case ErrRejected:
		_ = g.res.rejected.RecordValue(lat)
	}
}

// swap ends the current second and returns it.
func (g *generator) swap() window {
	g.mu.Lock()
	defer g.mu.Unlock()
	w := g.win
	if g.spare == nil {
		g.spare = newHist()
	} else {
		g.spare.Reset()
	}
	g.win = window{from: time.Now(), hist: g.spare}
	g.spare = w.hist
	// w.hist stays valid until the next swap, which only the caller does.
	return w
}

// sampler reads the target's process once a second; its metrics pages are
// read by pollers, so that a slow scrape (a target starved of CPU) never
// delays the one-second windows.
type sampler struct {
	t        Target
	target   *poller // the target's /metrics
	upstream *poller // the demo upstream's metrics
	accepted float64 // upstream's accepted counter before the load
	hasCount bool
	ports    map[int]bool // client ports seen ESTABLISHED to the upstream
	initial  int
	cpu      time.Duration // the target's CPU time at the last sample
	cpuAt    time.Time
	upCPU    time.Duration // the same for the upstream
	upCPUAt  time.Time
}

// maxAge is how old a polled value may be and still count for a sample.
const maxAge = 3 * time.Second

// baseline starts the pollers (they stop when ctx ends) and reads what the
// deltas are measured from.
func (s *sampler) baseline(ctx context.Context, hc *http.Client, wg *sync.WaitGroup) {
	s.ports = map[int]bool{}
	if s.t.PID > 0 {
		if v, err := ReadCPU(s.t.PID); err == nil {
			s.cpu, s.cpuAt = v, time.Now()
		}
	}
	if s.t.UpstreamPID > 0 {
		if v, err := ReadCPU(s.t.UpstreamPID); err == nil {
			s.upCPU, s.upCPUAt = v, time.Now()
		}
	}
	if s.t.MetricsURL != "" {
		s.target = startPoller(ctx, hc, wg, s.t.MetricsURL, MetricHeapInuse, MetricGoroutines, MetricAdmissionRejected)
	}
	if s.t.UpstreamMetricsURL != "" {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		m, err := Scrape(sctx, hc, s.t.UpstreamMetricsURL, MetricUpstreamAccepted)
		cancel()
		if v, ok := m[MetricUpstreamAccepted]; err == nil && ok {
			s.accepted, s.hasCount = v, true
			s.upstream = startPoller(ctx, hc, wg, s.t.UpstreamMetricsURL, MetricUpstreamAccepted, MetricUpstreamOpen)
		}
	}
	if s.t.UpstreamPort != 0 {
		if c, err := CountTCP(s.t.UpstreamPort); err == nil {
			for _, p := range c.ClientPorts {
				s.ports[p] = true
			}
			s.initial = len(s.ports)
		}
	}
}

func (s *sampler) sample(sm *Sample) {
	sm.RSS, sm.FDs, sm.HeapInuse, sm.Goroutines, sm.CPU, sm.UpCPU, sm.Rejected = -1, -1, -1, -1, -1, -1, -1
	if s.t.UpstreamPID > 0 {
		if v, err := ReadCPU(s.t.UpstreamPID); err == nil {
			now := time.Now()
			if !s.upCPUAt.IsZero() {
				sm.UpCPU = (v - s.upCPU).Seconds() / now.Sub(s.upCPUAt).Seconds()
			}
			s.upCPU, s.upCPUAt = v, now
		}
	}
	sm.UpEst, sm.UpTimeWait, sm.UpNew, sm.UpNewPorts, sm.UpOpen = -1, -1, -1, -1, -1
	if s.t.PID > 0 {
		if v, err := ReadRSS(s.t.PID); err == nil {
			sm.RSS = v
		}
		if v, err := CountFDs(s.t.PID); err == nil {
			sm.FDs = v
		}
		if v, err := ReadCPU(s.t.PID); err == nil {
			now := time.Now()
			if !s.cpuAt.IsZero() {
				sm.CPU = (v - s.cpu).Seconds() / now.Sub(s.cpuAt).Seconds()
			}
			s.cpu, s.cpuAt = v, now
		}
	}
	if m, ok := s.target.latest(); ok {
		if v, ok := m[MetricHeapInuse]; ok {
			sm.HeapInuse = v
		}
		if v, ok := m[MetricGoroutines]; ok {
			sm.Goroutines = v
		}
		if v, ok := m[MetricAdmissionRejected]; ok {
			sm.Rejected = v
		}
	}
	if s.t.UpstreamPort != 0 {
		if c, err := CountTCP(s.t.UpstreamPort); err == nil {
			sm.UpEst, sm.UpTimeWait = c.Established, c.TimeWait
			for _, p := range c.ClientPorts {
				s.ports[p] = true
			}
			sm.UpNewPorts = int64(len(s.ports) - s.initial)
		}
	}
	if m, ok := s.upstream.latest(); ok {
		if v, ok := m[MetricUpstreamAccepted]; ok {
			sm.UpNew = int64(v - s.accepted)
		}
		if v, ok := m[MetricUpstreamOpen]; ok {
			sm.UpOpen = int64(v)
		}
	}
}

// poller scrapes a metrics page about once a second and keeps the last
// answer.
type poller struct {
	mu   sync.Mutex
	vals map[string]float64
	at   time.Time
}

func startPoller(ctx context.Context, hc *http.Client, wg *sync.WaitGroup, url string, names ...string) *poller {
	p := &poller{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			began := time.Now()
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			m, err := Scrape(sctx, hc, url, names...)
			cancel()
			if err == nil {
				p.mu.Lock()
				p.vals, p.at = m, time.Now()
				p.mu.Unlock()
			}
			sleepCtx(ctx, time.Second-time.Since(began))
		}
	}()
	return p
}

// latest returns the last values if they are recent enough.
func (p *poller) latest() (map[string]float64, bool) {
	if p == nil {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.vals, p.vals != nil && time.Since(p.at) <= maxAge
}

// MetricsURLFor returns the /metrics URL on the host of an MCP endpoint.
func MetricsURLFor(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/metrics"}).String()
}

// withHeaders sets headers on every request it forwards.
type withHeaders struct {
	next    http.RoundTripper
	headers map[string]string
}

func (h withHeaders) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.next == nil {
		h.next = http.DefaultTransport
	}
	req = req.Clone(req.Context())
	for k, v := range h.headers {
		req.Header.Set(k, v)
	}
	return h.next.RoundTrip(req)
}

// rawCall is one tools/call of request i as a plain POST on session s
// (RawCalls): a body built by appending, the session's headers built once
// and shared (nothing below the transport writes to them), straight to
// the transport (no redirects to follow, no cookies), the answer read
// into a buffer of its declared size. bad reports an answer without the
// echo.
func (g *generator) rawCall(ctx context.Context, i int) (bad bool, err error) {
	s := i % len(g.sessions)
	g.rawOnce.Do(g.prepareRaw)
	var num [20]byte
	n := strconv.AppendInt(num[:0], int64(i), 10)
	body := make([]byte, 0, len(g.rawPrefix)+len(g.rawMiddle)+len(g.rawSuffix)+2*len(n)+2)
	body = append(body, g.rawPrefix...)
	body = strconv.AppendInt(body, int64(i)+1, 10)
	body = append(body, g.rawMiddle...)
	body = append(body, n...)
	body = append(body, g.rawSuffix...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.target.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header = g.rawHeaders[s]
	resp, err := g.hc.Transport.RoundTrip(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var data []byte
	if c := resp.ContentLength; c > 0 && c <= 1<<20 {
		data = make([]byte, c)
		_, err = io.ReadFull(resp.Body, data)
	} else {
		data, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	}
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("tools/call: HTTP %d", resp.StatusCode)
	}
	// The echo, as the answer carries it: "text":"load-<i>".
	echo := make([]byte, 0, 16+len(n))
	echo = append(echo, `"text":"load-`...)
	echo = append(echo, n...)
	echo = append(echo, '"')
	return !bytes.Contains(data, echo), nil
}

// prepareRaw builds what every raw call shares: the body around the id
// and the message, and one header per session.
func (g *generator) prepareRaw() {
	name, _ := json.Marshal(g.res.Names.Tool)
	g.rawPrefix = []byte(`{"jsonrpc":"2.0","id":`)
	g.rawMiddle = []byte(`,"method":"tools/call","params":{"name":` + string(name) + `,"arguments":{"message":"load-`)
	g.rawSuffix = []byte(`"}}}`)
	g.rawHeaders = make([]http.Header, len(g.sessions))
	for k, c := range g.sessions {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("Accept", "application/json, text/event-stream")
		if g.target.Token != "" {
			h.Set("Authorization", "Bearer "+g.target.Token)
		}
		if st, ok := c.GetTransport().(*transport.StreamableHTTP); ok && st.GetSessionId() != "" {
			h.Set("Mcp-Session-Id", st.GetSessionId())
		}
		if g.cfg.Protocol != "" {
			h.Set(mcp.HeaderProtocolVersion, g.cfg.Protocol)
		}
		g.rawHeaders[k] = h
	}
}
