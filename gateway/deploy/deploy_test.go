package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway/config"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// Paths inside the image, from the Dockerfile.
const (
	imageGateway = "/gateway"
	imageDemo    = "/demo-upstream"
	imageConfig  = "/etc/mcp-gateway/gateway.yaml"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds the two commands the Dockerfile builds, once.
func binaries(t *testing.T) (gatewayBin, demoBin string) {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "gateway-deploy-test")
		if buildErr != nil {
			return
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		// One go build for both, with the test's own build settings so the
		// cache is reused (the image's static build differs only in cgo).
		cmd := exec.Command(goBin, "build", "-o", binDir+string(filepath.Separator), "../cmd/gateway", "../cmd/demo-upstream")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "gateway"), filepath.Join(binDir, "demo-upstream")
}

// dockerfile is what the tests read from the Dockerfile's final stage.
type dockerfile struct {
	stages      []string // FROM images
	user        string
	expose      []string
	healthcheck string
	entrypoint  string
	cmd         string
	copies      []string
	env         []string
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	// Join continuation lines, drop comments.
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			d.stages = append(d.stages, strings.Fields(rest)[0])
			d.user, d.copies = "", nil // per stage
		case "USER":
			d.user = rest
		case "EXPOSE":
			d.expose = append(d.expose, strings.Fields(rest)...)
		case "HEALTHCHECK":
			d.healthcheck = rest
		case "ENTRYPOINT":
			d.entrypoint = rest
		case "CMD":
			d.cmd = rest
		case "COPY":
			d.copies = append(d.copies, rest)
		case "ENV":
			d.env = append(d.env, rest)
		}
	}
	return d
}

// TestDockerfile: multi-stage, static, distroless or scratch, non-root, a
// HEALTHCHECK the binary answers itself, and paths the compose file and
// the manifests use.
func TestDockerfile(t *testing.T) {
	d := readDockerfile(t)
	if len(d.stages) < 2 || !strings.HasPrefix(d.stages[0], "golang:") {
		t.Fatalf("not a multi-stage build from a Go image: %v", d.stages)
	}
	final := d.stages[len(d.stages)-1]
	if !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final stage %s is not distroless/static or scratch", final)
	}
	if !slices.ContainsFunc(d.env, func(e string) bool { return strings.Contains(e, "CGO_ENABLED=0") }) {
		t.Error("CGO_ENABLED=0 not set: the binary would need libc")
	}
	uid, _, _ := strings.Cut(d.user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("USER %q is not a numeric non-root uid", d.user)
	}
	if !strings.Contains(d.healthcheck, `"`+imageGateway+`", "-config", "`+imageConfig+`", "-healthcheck"`) {
		t.Errorf("HEALTHCHECK %q does not run the gateway's -healthcheck on %s", d.healthcheck, imageConfig)
	}
	if d.entrypoint != `["`+imageGateway+`"]` || !strings.Contains(d.cmd, `"-config", "`+imageConfig+`"`) {
		t.Errorf("ENTRYPOINT %s CMD %s", d.entrypoint, d.cmd)
	}
	for _, bin := range []string{imageGateway, imageDemo} {
		if !slices.ContainsFunc(d.copies, func(c string) bool { return strings.HasSuffix(c, " "+bin) }) {
			t.Errorf("the final stage does not copy %s", bin)
		}
	}
	cfg := composeConfig(t, "")
	_, port, _ := net.SplitHostPort(cfg.Listen)
	if !slices.Contains(d.expose, port) {
		t.Errorf("EXPOSE %v lacks the configured port %s", d.expose, port)
	}
}

type composeFile struct {
	Services map[string]struct {
		Build           string            `yaml:"build"`
		Image           string            `yaml:"image"`
		Entrypoint      []string          `yaml:"entrypoint"`
		Command         []string          `yaml:"command"`
		DependsOn       []string          `yaml:"depends_on"`
		Environment     map[string]string `yaml:"environment"`
		Ports           []string          `yaml:"ports"`
		Volumes         []string          `yaml:"volumes"`
		StopGracePeriod string            `yaml:"stop_grace_period"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile("../docker-compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yaml: %v", err)
	}
	return c
}

// composeConfig loads deploy/compose/gateway.yaml with the compose file's
// default tokens and the demo binary at demoBin (the image has it at
// /demo-upstream); replace maps other substrings before parsing.
func composeConfig(t *testing.T, demoBin string, replace ...string) *config.Config {
	t.Helper()
	data, err := os.ReadFile("compose/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if demoBin == "" {
		demoBin = "/bin/sh" // any executable: only the image has /demo-upstream
	}
	text = strings.ReplaceAll(text, "command: "+imageDemo, "command: "+demoBin)
	for i := 0; i+1 < len(replace); i += 2 {
		text = strings.ReplaceAll(text, replace[i], replace[i+1])
	}
	t.Setenv("GATEWAY_TOKEN", "demo-token-change-me")
	t.Setenv("GATEWAY_ADMIN_TOKEN", "admin-token-change-me")
	cfg, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatalf("compose config: %v", err)
	}
	return cfg
}

// TestComposeFile: services, mounts, ports and grace period agree with the
// gateway config it mounts and the image.
func TestComposeFile(t *testing.T) {
	c := readCompose(t)
	gw, ok := c.Services["gateway"]
	demo, ok2 := c.Services["demo"]
	if !ok || !ok2 {
		t.Fatalf("services: %v", c.Services)
	}
	if !slices.Contains(gw.Volumes, "./deploy/compose:"+filepath.Dir(imageConfig)+":ro") {
		t.Errorf("gateway volumes %v do not mount deploy/compose at %s", gw.Volumes, filepath.Dir(imageConfig))
	}
	if i := slices.Index(gw.Command, "-config"); i < 0 || gw.Command[i+1] != imageConfig {
		t.Errorf("gateway command %v does not load %s", gw.Command, imageConfig)
	}
	cfg := composeConfig(t, "")
	_, port, _ := net.SplitHostPort(cfg.Listen)
	if !slices.Contains(gw.Ports, "127.0.0.1:"+port+":"+port) {
		t.Errorf("ports %v do not publish %s on loopback", gw.Ports, port)
	}
	for name := range gw.Environment {
		if !strings.Contains(mustRead(t, "compose/gateway.yaml"), "${"+name+"}") {
			t.Errorf("environment %s is not used by the config", name)
		}
	}
	grace, err := time.ParseDuration(gw.StopGracePeriod)
	if err != nil || grace <= cfg.Readiness.DrainGrace+cfg.ShutdownTimeout {
		t.Errorf("stop_grace_period %q must exceed readiness.drain_grace + shutdown_timeout (%s)", gw.StopGracePeriod, cfg.Readiness.DrainGrace+cfg.ShutdownTimeout)
	}
	// The demo listens where the config's upstream points.
	var demoURL string
	for _, u := range cfg.Upstreams {
		if u.Transport != config.TransportStdio {
			demoURL = u.URL
		}
	}
	if i := slices.Index(demo.Command, "-addr"); i < 0 || !strings.Contains(demoURL, "//demo:"+portOf(demo.Command[i+1])+"/") {
		t.Errorf("demo command %v does not serve the configured upstream %s", demo.Command, demoURL)
	}
	if !slices.Equal(demo.Entrypoint, []string{imageDemo}) {
		t.Errorf("demo entrypoint %v", demo.Entrypoint)
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return portOf(ln.Addr().String())
}

// TestBinaryStartsWithComposeConfig runs the built gateway on the compose
// file's config (loopback addresses instead of the container's, the demo
// upstream as a local process), then its -healthcheck, an MCP session
// listing both upstreams, and SIGTERM.
func TestBinaryStartsWithComposeConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	gatewayBin, demoBin := binaries(t)
	gwPort, demoPort := freePort(t), freePort(t)
	demo := exec.Command(demoBin, "-addr", "127.0.0.1:"+demoPort, "-transport", "streamable-http", "-name", "demo")
	startProcess(t, demo)

	cfgPath := filepath.Join(t.TempDir(), "gateway.yaml")
	text := strings.NewReplacer("0.0.0.0:8080", "127.0.0.1:"+gwPort, "http://demo:9001/mcp", "http://127.0.0.1:"+demoPort+"/mcp",
		"command: "+imageDemo, "command: "+demoBin).Replace(mustRead(t, "compose/gateway.yaml"))
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "GATEWAY_TOKEN=demo-token-change-me", "GATEWAY_ADMIN_TOKEN=admin-token-change-me")
	gw := exec.Command(gatewayBin, "-config", cfgPath, "-watch")
	gw.Env = env
	var logs syncBuffer
	gw.Stderr = &logs
	exited := startProcess(t, gw)

	base := "http://127.0.0.1:" + gwPort
	deadline := time.Now().Add(30 * time.Second)
	for !ready(base + "/readyz") {
		if time.Now().After(deadline) {
			t.Fatalf("gateway not ready on the compose config:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	hc := exec.Command(gatewayBin, "-config", cfgPath, "-healthcheck")
	hc.Env = env
	if out, err := hc.CombinedOutput(); err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("-healthcheck: %v %s", err, out)
	}

	// Ready means one upstream is up (readiness.require: any): the other
	// may still be connecting, so wait for both in the list.
	tools := listTools(t, base+"/mcp", "demo-token-change-me")
	for time.Now().Before(deadline) && !(slices.Contains(tools, "demo__echo") && slices.Contains(tools, "local__echo")) {
		time.Sleep(200 * time.Millisecond)
		tools = listTools(t, base+"/mcp", "demo-token-change-me")
	}
	for _, want := range []string{"demo__echo", "local__echo"} {
		if !slices.Contains(tools, want) {
			t.Errorf("tools %v lack %s", tools, want)
		}
	}
	if err := gw.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("gateway exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("gateway did not exit after SIGTERM:\n%s", logs.String())
	}
	// Stopped, the healthcheck fails.
	hc = exec.Command(gatewayBin, "-config", cfgPath, "-healthcheck")
	hc.Env = env
	if err := hc.Run(); err == nil {
		t.Fatal("-healthcheck passed with the gateway stopped")
	}
}

// startProcess starts cmd and kills it at cleanup if it still runs; the
// channel yields its exit.
func startProcess(t *testing.T, cmd *exec.Cmd) <-chan error {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
	})
	return exited
}

func ready(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

func listTools(t *testing.T, url, token string) []string {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{ClientInfo: mcp.Implementation{Name: "deploy-test", Version: "1"}}}); err != nil {
		t.Fatal(err)
	}
	res, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	return names
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
