package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// Kinds of target the harness can build and start.
const (
	KindChurny    = "churny"    // testdata/churnygateway as it is
	KindFixed     = "fixed"     // a copy of it after churnlint -fix (Env.Fixed)
	KindReference = "reference" // gateway/cmd/gateway
	KindDirect    = "direct"    // no gateway: the load goes to the upstream
	// KindPeer is another MCP gateway the user points at (Env.Peer), run
	// with a generated config in front of the same demo upstream: today
	// TBXark/mcp-proxy's binary (see LOADTEST.md). Not built, not in Kinds.
	KindPeer = "peer"
)

// Kinds lists every kind, in the order a comparison runs them.
var Kinds = []string{KindChurny, KindFixed, KindReference, KindDirect}

// FixtureDir is the churny fixture module, relative to the repository.
const FixtureDir = "testdata/churnygateway"

// Timeouts of the process handling.
const (
	buildTimeout = 10 * time.Minute
	readyTimeout = 60 * time.Second
	stopTimeout  = 20 * time.Second
)

// Env is where the harness builds and what it logs to.
type Env struct {
	Repo string // repository root (module github.com/churnlint/churnlint)
	Work string // scratch: binaries, fixture copies, configs
	Out  string // results: one directory per run, process logs
	Logf func(format string, args ...any)
	// Fixed is a copy of FixtureDir that churnlint -fix has fixed: what
	// KindFixed builds and runs. The harness does not make it: cmd/churnlint's
	// end-to-end tests check that -fix makes a copy that builds, passes its
	// tests and leaves nothing to report (see LOADTEST.md for making one).
	Fixed string
	// Peer is the binary of KindPeer (the harness never builds it).
	Peer string
	// SchedLatency is the reference gateway's admission.max_sched_latency
	// (0: off, the gateway's default): the overload check turns the
	// CPU-following bound on, the soak and the comparisons leave it off.
	SchedLatency time.Duration
	// Pin, if set, starts the target's processes (gateway, upstream) on
	// Pin.Target's CPUs (the overload check: see Pinning).
	Pin *Pinning
}

// pinned is the CPUs the target's processes start on (nil: any).
func (e Env) pinned() []int {
	if e.Pin == nil {
		return nil
	}
	return e.Pin.Target
}

func (e Env) logf(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
	}
}

// FindRepo walks up from dir to the directory whose go.mod declares
// module github.com/churnlint/churnlint.
func FindRepo(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/churnlint/churnlint\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the churnlint repository (no go.mod with module github.com/churnlint/churnlint above the working directory); use -repo")
		}
		dir = parent
	}
}

// Binaries are the programs a comparison starts.
type Binaries struct {
	Upstream, Gateway, Churny, Fixed string
}

// Build builds what the given kinds need into env.Work/bin.
func Build(ctx context.Context, env Env, kinds []string) (*Binaries, error) {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	bin := filepath.Join(env.Work, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	need := map[string]bool{}
	for _, k := range kinds {
		need[k] = true
	}
	b := &Binaries{Upstream: filepath.Join(bin, "demo-upstream")}
	env.logf("building demo-upstream")
	if _, err := goCmd(ctx, env.Repo, nil, "build", "-o", b.Upstream, "./gateway/cmd/demo-upstream"); err != nil {
		return nil, err
	}
	if need[KindReference] {
		b.Gateway = filepath.Join(bin, "gateway")
		env.logf("building the reference gateway")
		if _, err := goCmd(ctx, env.Repo, nil, "build", "-o", b.Gateway, "./gateway/cmd/gateway"); err != nil {
			return nil, err
		}
	}
	if need[KindChurny] {
		src := filepath.Join(env.Work, "churny-src")
		if err := copyTree(filepath.Join(env.Repo, FixtureDir), src); err != nil {
			return nil, err
		}
		b.Churny = filepath.Join(bin, "churnygateway")
		env.logf("building the churny fixture")
		if _, err := goCmd(ctx, src, fixtureEnv, "build", "-o", b.Churny, "./cmd/churnygateway"); err != nil {
			return nil, err
		}
	}
	if need[KindFixed] {
		if env.Fixed == "" {
			return b, errors.New("the fixed target needs a copy of " + FixtureDir + " after churnlint -fix (-fixed DIR; see LOADTEST.md)")
		}
		b.Fixed = filepath.Join(bin, "churnygateway-fixed")
		env.logf("building the fixed fixture from %s", env.Fixed)
		if _, err := goCmd(ctx, env.Fixed, fixtureEnv, "build", "-o", b.Fixed, "./cmd/churnygateway"); err != nil {
			return b, err
		}
	}
	return b, nil
}

// fixtureEnv builds the fixture as its own module, whatever the caller's
// workspace and flags.
var fixtureEnv = []string{"GOWORK=off", "GOFLAGS=-mod=mod -buildvcs=false"}

func goCmd(ctx context.Context, dir string, extraEnv []string, args ...string) (string, error) {
	out, code, err := run(ctx, dir, extraEnv, "go", args...)
	if err != nil {
		return out, err
	}
	if code != 0 {
		return out, fmt.Errorf("go %s (in %s): exit %d\n%s", strings.Join(args, " "), dir, code, out)
	}
	return out, nil
}

// run runs a command and returns its combined output and exit code; err is
// set only when it could not be run.
func run(ctx context.Context, dir string, extraEnv []string, name string, args ...string) (string, int, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extraEnv...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0, nil
	case errors.As(err, &exit) && ctx.Err() == nil:
		return string(out), exit.ExitCode(), nil
	}
	return string(out), -1, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
}

// copyTree copies a directory of regular files.
func copyTree(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// proc is a started process.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func startProc(dir, name string, cpus []int, bin string, args ...string) (*proc, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := pinnedCommand(cpus, bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// If the harness dies, so do its children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and, if the process has not exited after
// stopTimeout, SIGKILL.
func (p *proc) stop() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopTimeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// tail returns the end of the process's log, for error messages.
func (p *proc) tail() string {
	data, _ := os.ReadFile(p.log)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}

// waitReady polls url until it answers 200, the process exits or the
// timeout passes.
func waitReady(ctx context.Context, hc *http.Client, p *proc, url string) error {
	if err := CheckLoopbackURL(url); err != nil {
		return err
	}
	deadline := time.Now().Add(readyTimeout)
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
		if err != nil {
			cancel()
			return err
		}
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		cancel()
		if err == nil && resp.StatusCode == http.StatusOK {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", p.name, p.err, p.tail())
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s not ready at %s after %s:\n%s", p.name, url, readyTimeout, p.tail())
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func loopback(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// referenceConfig is the reference gateway's configuration for a run: one
// upstream, a token, no rate limit, warnings only.
func referenceConfig(listen, upstreamURL, token string, schedLatency time.Duration) string {
	return fmt.Sprintf(`# written by the load test
admission: {max_sched_latency: %s}
listen: %s
shutdown_timeout: 5s
log: {level: warn, format: text}
auth:
  tokens:
    - name: loadtest
      token: %s
  rate_limit: {requests_per_second: 0, burst: 0}
upstreams:
  - name: demo
    url: %s
    transport: streamable-http
plugins: []
`, schedLatency, listen, token, upstreamURL)
}

// stack is a started demo upstream and the target in front of it.
type stack struct {
	up, gw *proc
	t      Target
	upPort int
	dir    string
}

// stop ends the target and the upstream.
func (st *stack) stop() {
	if st.gw != nil {
		st.gw.stop()
	}
	st.up.stop()
}

// startStack starts a fresh demo upstream and the target of the given
// kind in front of it; its logs go to dir.
func startStack(ctx context.Context, hc *http.Client, env Env, bins *Binaries, kind, dir string) (st *stack, err error) {
	upPort, err := freePort()
	if err != nil {
		return nil, err
	}
	upMetricsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	upURL := "http://" + loopback(upPort) + "/mcp"
	upMetrics := "http://" + loopback(upMetricsPort) + "/metrics"
	up, err := startProc(dir, "upstream", env.pinned(), bins.Upstream, "-addr", loopback(upPort), "-metrics", loopback(upMetricsPort), "-name", "demo")
	if err != nil {
		return nil, err
	}
	st = &stack{up: up, upPort: upPort, dir: dir}
	defer func() {
		if err != nil {
			st.stop()
		}
	}()
	if err := waitReady(ctx, hc, up, upMetrics); err != nil {
		return nil, err
	}

	t := Target{Name: kind, UpstreamPort: upPort, UpstreamMetricsURL: upMetrics, UpstreamPID: up.pid()}
	switch kind {
	case KindDirect:
		t.URL, t.PID, t.MetricsURL = upURL, up.pid(), upMetrics
	case KindReference:
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		t.Token = randomToken()
		cfgPath := filepath.Join(env.Work, "gateway-"+strconv.Itoa(port)+".yaml")
		if err := os.WriteFile(cfgPath, []byte(referenceConfig(loopback(port), upURL, t.Token, env.SchedLatency)), 0o600); err != nil {
			return nil, err
		}
		if st.gw, err = startProc(dir, "gateway", env.pinned(), bins.Gateway, "-config", cfgPath); err != nil {
			return nil, err
		}
		t.URL, t.MetricsURL = "http://"+loopback(port)+"/mcp", "http://"+loopback(port)+"/metrics"
		if err := waitAndSet(ctx, hc, st.gw, &t, "http://"+loopback(port)+"/readyz"); err != nil {
			return nil, err
		}
	case KindPeer:
		if env.Peer == "" {
			return nil, errors.New("the peer target needs a binary (-compare-peer PATH)")
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		t.Token = randomToken()
		cfgPath := filepath.Join(env.Work, "peer-"+strconv.Itoa(port)+".json")
		if err := os.WriteFile(cfgPath, []byte(peerConfig(loopback(port), upURL, t.Token)), 0o600); err != nil {
			return nil, err
		}
		if st.gw, err = startProc(dir, "peer", env.pinned(), env.Peer, "--config", cfgPath); err != nil {
			return nil, err
		}
		t.URL = "http://" + loopback(port) + "/demo/"
		if err := waitMCP(ctx, hc, st.gw, t.URL, t.Token); err != nil {
			return nil, err
		}
		t.PID = st.gw.pid()
	case KindChurny, KindFixed:
		bin := bins.Churny
		if kind == KindFixed {
			bin = bins.Fixed
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		if st.gw, err = startProc(dir, "gateway", env.pinned(), bin, "-listen", loopback(port), "-upstream", upURL, "-name", "demo"); err != nil {
			return nil, err
		}
		t.URL, t.MetricsURL = "http://"+loopback(port)+"/mcp", "http://"+loopback(port)+"/metrics"
		if err := waitAndSet(ctx, hc, st.gw, &t, "http://"+loopback(port)+"/healthz"); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown kind %q (want one of %v or %s)", kind, Kinds, KindPeer)
	}
	st.t = t
	return st, nil
}

// peerConfig is mcp-proxy's configuration for a run: the demo upstream
// over streamable HTTP, served stateless over streamable HTTP at /demo/,
// one token, no request logging (the reference logs at warn).
func peerConfig(listen, upstreamURL, token string) string {
	return fmt.Sprintf(`{"mcpProxy": {"baseURL": "http://%[1]s", "addr": "%[1]s", "name": "peer", "version": "1", "type": "streamable-http",
  "options": {"panicIfInvalid": true, "logEnabled": false, "authTokens": [%[3]q]}},
 "mcpServers": {"demo": {"transportType": "streamable-http", "url": %[2]q}}}
`, listen, upstreamURL, token)
}

// waitMCP waits until an MCP session can be opened on url (a peer has no
// readiness endpoint: it is ready when it serves its catalog).
func waitMCP(ctx context.Context, hc *http.Client, p *proc, url, token string) error {
	if err := CheckLoopbackURL(url); err != nil {
		return err
	}
	deadline := time.Now().Add(readyTimeout)
	for {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		c, err := openSession(sctx, hc, url, map[string]string{"Authorization": "Bearer " + token}, "")
		if err == nil {
			_, err = c.ListTools(sctx, mcp.ListToolsRequest{})
			_ = c.Close()
		}
		cancel()
		if err == nil {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", p.name, p.err, p.tail())
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s not ready at %s after %s (%v):\n%s", p.name, url, readyTimeout, err, p.tail())
		}
		sleepCtx(ctx, 200*time.Millisecond)
	}
}

// RunKind starts a fresh demo upstream and the target of the given kind,
// runs the load, stops both and writes the run's files into
// env.Out/<kind>. After the target stops it counts the sockets left in
// TIME_WAIT on the upstream port.
func RunKind(ctx context.Context, hc *http.Client, env Env, bins *Binaries, kind string, cfg Config, th Thresholds) (*Result, error) {
	return runOn(ctx, hc, env, bins, kind, filepath.Join(env.Out, kind), cfg, th)
}

func runOn(ctx context.Context, hc *http.Client, env Env, bins *Binaries, kind, dir string, cfg Config, th Thresholds) (*Result, error) {
	st, err := startStack(ctx, hc, env, bins, kind, dir)
	if err != nil {
		return nil, err
	}
	defer st.stop() // on the early returns; a no-op once stopped
	res, runErr := Run(ctx, hc, st.t, cfg, th, env.Logf)
	hc.CloseIdleConnections()
	if res != nil {
		res.Summary.GoroutinesAtRest = goroutinesAtRest(ctx, hc, st.t.MetricsURL, restSettle)
	}
	st.stop()
	if res == nil {
		return nil, runErr
	}
	sleepCtx(ctx, time.Second)
	if c, err := CountTCP(st.upPort); err == nil {
		res.Summary.UpTimeWaitAfterStop = c.TimeWait
	}
	if st.gw != nil && st.gw.err != nil && !isSignal(st.gw.err) {
		res.Notes = append(res.Notes, fmt.Sprintf("the target exited with %v", st.gw.err))
	}
	if err := WriteRun(dir, res, th); err != nil {
		return res, err
	}
	return res, runErr
}

// restSettle is how long the target gets, once the load is over and the
// harness has closed its connections, before its goroutines are counted.
const restSettle = 2 * time.Second

// goroutinesAtRest counts the target's goroutines once the load is over,
// the harness has closed its sessions and connections, and settle has
// passed: a target that keeps its pools is back to its own goroutines plus
// two per idle pooled connection, one that drops them still has two per
// stranded connection until their idle timeout. Unlike growth during the
// run, this count does not depend on how many requests a stall of the
// machine piled up. -1 when it cannot be read.
func goroutinesAtRest(ctx context.Context, hc *http.Client, metricsURL string, settle time.Duration) float64 {
	if metricsURL == "" {
		return -1
	}
	sleepCtx(ctx, settle)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	defer hc.CloseIdleConnections()
	m, err := Scrape(sctx, hc, metricsURL, MetricGoroutines)
	if v, ok := m[MetricGoroutines]; err == nil && ok {
		return v
	}
	return -1
}

func waitAndSet(ctx context.Context, hc *http.Client, p *proc, t *Target, readyURL string) error {
	if err := waitReady(ctx, hc, p, readyURL); err != nil {
		return err
	}
	t.PID = p.pid()
	return nil
}

// isSignal reports whether a process ended because of a signal or with the
// exit code a signal handler chose, as a stopped target does.
func isSignal(err error) bool {
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// Compare builds what the kinds need and runs the same load against each,
// one after another, with a fresh upstream each time.
func Compare(ctx context.Context, hc *http.Client, env Env, kinds []string, cfg Config, th Thresholds) ([]*Result, *Binaries, error) {
	bins, err := Build(ctx, env, kinds)
	if err != nil {
		return nil, bins, err
	}
	var runs []*Result
	for i, kind := range kinds {
		if i > 0 {
			sleepCtx(ctx, 2*time.Second) // let the machine settle
		}
		env.logf("=== %s", kind)
		res, err := RunKind(ctx, hc, env, bins, kind, cfg, th)
		if res != nil {
			runs = append(runs, res)
		}
		if err != nil {
			return runs, bins, fmt.Errorf("%s: %w", kind, err)
		}
	}
	return runs, bins, nil
}
