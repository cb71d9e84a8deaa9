package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/gateway"
	"github.com/churnlint/churnlint/gateway/config"
	"github.com/churnlint/churnlint/gateway/internal/upstreamtest"
	"github.com/churnlint/churnlint/gateway/plugin"
)

const reloadAdminToken = "reload-admin-token-0123456789"

// reloadFixture is a gateway started from a config file it can rewrite.
type reloadFixture struct {
	t    *testing.T
	path string
	g    *testGateway
}

func adminTail(extra string) string {
	return "admin: {token: " + reloadAdminToken + "}\n" + extra
}

func newReloadFixture(t *testing.T, ups []upstreamSpec, tail string, opts gateway.Options) *reloadFixture {
	t.Helper()
	return newReloadFixtureRaw(t, renderConfigText(t, ups, tail), opts)
}

// write replaces the config file the way editors do: write aside, rename.
func (f *reloadFixture) write(ups []upstreamSpec, tail string) {
	f.t.Helper()
	f.writeRaw(renderConfigText(f.t, ups, tail))
}

func (f *reloadFixture) writeRaw(data []byte) {
	f.t.Helper()
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		f.t.Fatal(err)
	}
}

type reloadReply struct {
	OK     bool                 `json:"ok"`
	Error  string               `json:"error"`
	Report gateway.ReloadReport `json:"report"`
}

// adminReload calls POST /admin/reload with token.
func (f *reloadFixture) adminReload(token string) (int, reloadReply) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.g.URL+"/admin/reload", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep reloadReply
	_ = json.NewDecoder(resp.Body).Decode(&rep)
	return resp.StatusCode, rep
}

func httpSpec(u *upstreamtest.Upstream) upstreamSpec {
	return upstreamSpec{Name: u.Name, URL: u.URL(), Transport: u.Transport}
}

// TestReloadAddsAndRemovesUpstreamsKeepingSessions: one reload adds an
// upstream, the next removes another; a downstream session opened before
// both sees and calls the new tools, loses the removed ones, and is never
// dropped; the unchanged upstream is not reconnected; the removed one's
// connections are closed.
func TestReloadAddsAndRemovesUpstreamsKeepingSessions(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	beta := upstreamtest.New(t, "beta", upstreamtest.Streamable).Start()
	gamma := upstreamtest.New(t, "gamma", upstreamtest.SSE).Start()
	f := newReloadFixture(t, []upstreamSpec{httpSpec(alpha), httpSpec(beta)}, adminTail(""), gateway.Options{})
	c := connect(t, f.g.URL+"/mcp", adminToken)
	if got := resultText(callTool(t, c, "beta__echo", map[string]any{"message": "b"})); got != "b" {
		t.Fatalf("beta before reload: %q", got)
	}
	alphaSess, _ := f.g.Sessions().Session("alpha")
	started := counterValue(t, f.g.Metrics().UpstreamReconnects.WithLabelValues("alpha"))

	// Add gamma.
	f.write([]upstreamSpec{httpSpec(alpha), httpSpec(beta), httpSpec(gamma)}, adminTail(""))
	code, rep := f.adminReload(reloadAdminToken)
	if code != http.StatusOK || !rep.OK || !slices.Equal(rep.Report.Added, []string{"gamma"}) || len(rep.Report.Removed) != 0 || rep.Report.Generation != 2 {
		t.Fatalf("reload adding gamma: %d %+v", code, rep)
	}
	eventually(t, 10*time.Second, "gamma's tools on the open session", func() bool {
		return slices.Contains(toolNames(t, c), "gamma__echo")
	})
	if got := resultText(callTool(t, c, "gamma__echo", map[string]any{"message": "g"})); got != "g" {
		t.Fatalf("gamma after reload: %q", got)
	}

	// Remove beta.
	f.write([]upstreamSpec{httpSpec(alpha), httpSpec(gamma)}, adminTail(""))
	code, rep = f.adminReload(reloadAdminToken)
	if code != http.StatusOK || !slices.Equal(rep.Report.Removed, []string{"beta"}) || len(rep.Report.Added) != 0 {
		t.Fatalf("reload removing beta: %d %+v", code, rep)
	}
	eventually(t, 10*time.Second, "beta's tools gone from the open session", func() bool {
		return !slices.Contains(toolNames(t, c), "beta__echo")
	})
	res := callTool(t, c, "alpha__echo", map[string]any{"message": "still here"})
	if resultText(res) != "still here" {
		t.Fatalf("alpha on the same session after two reloads: %q", resultText(res))
	}
	if s, _ := f.g.Sessions().Session("alpha"); s != alphaSess {
		t.Fatal("the unchanged upstream's session was replaced")
	}
	if n := counterValue(t, f.g.Metrics().UpstreamReconnects.WithLabelValues("alpha")); n != started {
		t.Fatalf("alpha reconnected %v times during reloads", n-started)
	}
	eventually(t, 10*time.Second, "beta's upstream connections closed", func() bool {
		return beta.Conns.Open() == 0
	})
	if _, ok := f.g.Sessions().Session("beta"); ok {
		t.Fatal("beta's session is still registered")
	}
	if n := counterValue(t, f.g.Metrics().ConfigGeneration); n != 3 {
		t.Fatalf("config generation = %v, want 3", n)
	}
}

// TestReloadRefusesInvalidConfig: a broken file, an invalid value and a
// restart-only change are each refused whole with the error, and the
// running configuration keeps serving.
func TestReloadRefusesInvalidConfig(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	f := newReloadFixture(t, []upstreamSpec{httpSpec(alpha)}, adminTail(""), gateway.Options{})
	good := renderConfigText(t, []upstreamSpec{httpSpec(alpha)}, adminTail(""))
	for _, tc := range []struct {
		name, file, want string
	}{
		{"unknown key", string(good) + "\nbogus_key: 1\n", "unknown key bogus_key"},
		{"invalid upstream", strings.Replace(string(good), alpha.URL(), "ftp://nowhere", 1) +
			"\n", "upstreams[0].url: must be an absolute http or https URL"},
		{"restart-only", strings.Replace(string(good), "max_body_bytes: 4096", "max_body_bytes: 8192", 1), "max_body_bytes: changed from 4096 to 8192; this setting needs a restart"},
	} {
		f.writeRaw([]byte(tc.file))
		code, rep := f.adminReload(reloadAdminToken)
		if code != http.StatusUnprocessableEntity || rep.OK || !strings.Contains(rep.Error, tc.want) || !strings.Contains(rep.Error, "reload refused") {
			t.Fatalf("%s: %d %+v, want 422 with %q", tc.name, code, rep, tc.want)
		}
	}
	if n := counterValue(t, f.g.Metrics().ConfigGeneration); n != 1 {
		t.Fatalf("generation moved to %v on refused reloads", n)
	}
	if n := counterValue(t, f.g.Metrics().Reloads.WithLabelValues(gateway.TriggerAdmin, "invalid")); n != 3 {
		t.Fatalf("invalid reloads counted %v, want 3", n)
	}
	c := connect(t, f.g.URL+"/mcp", adminToken)
	if got := resultText(callTool(t, c, "alpha__echo", map[string]any{"message": "ok"})); got != "ok" {
		t.Fatalf("after refused reloads: %q", got)
	}
	// A good file again is applied (and changes nothing).
	f.writeRaw(good)
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || !rep.Report.Unchanged {
		t.Fatalf("reload of the running config: %d %+v", code, rep)
	}
}

// TestReloadAdminEndpointAuth: the admin token only; a client token is not
// enough; without admin.token the endpoint does not exist.
func TestReloadAdminEndpointAuth(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	f := newReloadFixture(t, []upstreamSpec{httpSpec(alpha)}, adminTail(""), gateway.Options{})
	for _, tok := range []string{"", adminToken, reloadAdminToken + "x"} {
		if code, _ := f.adminReload(tok); code != http.StatusUnauthorized {
			t.Fatalf("token %q: %d, want 401", tok, code)
		}
	}
	if code, _ := f.adminReload(reloadAdminToken); code != http.StatusOK {
		t.Fatalf("admin token: %d", code)
	}
	// Drop admin.token by reload: the endpoint goes away.
	f.write([]upstreamSpec{httpSpec(alpha)}, "")
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || !rep.Report.Admin {
		t.Fatalf("reload dropping the admin token: %d %+v", code, rep)
	}
	if code, _ := f.adminReload(reloadAdminToken); code != http.StatusNotFound {
		t.Fatalf("without admin.token: %d, want 404", code)
	}
}

// TestReloadSwapsTokensAndVirtualServers: a new token works and a removed
// one is refused on the next request of an open session; a virtual server
// is added, changed and removed.
func TestReloadSwapsTokensAndVirtualServers(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	ups := []upstreamSpec{httpSpec(alpha)}
	f := newReloadFixture(t, ups, adminTail(""), gateway.Options{})
	mathSession := connect(t, f.g.URL+"/mcp", mathToken)

	const newToken = "new-client-token-0123456789"
	// baseConfig's tokens are fixed; auth.tokens is replaced by a JWT-free
	// block through a second auth section is not possible, so rewrite it.
	text := string(renderConfigText(t, ups, adminTail("virtual_servers:\n  - {name: echoes, tools: [\"alpha__echo\"]}\n")))
	text = strings.Replace(text, "    - {name: math, token: "+mathToken+`, allowed_tools: ["alpha__add"]}`,
		"    - {name: newbie, token: "+newToken+"}", 1)
	f.writeRaw([]byte(text))
	code, rep := f.adminReload(reloadAdminToken)
	if code != http.StatusOK || !rep.Report.Auth || !rep.Report.VirtualServers {
		t.Fatalf("reload: %d %+v", code, rep)
	}
	if _, err := callToolErr(mathSession, "alpha__add", map[string]any{"a": 1, "b": 2}); err == nil {
		t.Fatal("a removed token still works on its open session")
	}
	nc := connect(t, f.g.URL+"/mcp", newToken)
	if got := resultText(callTool(t, nc, "alpha__add", map[string]any{"a": 1, "b": 2})); got != "3" {
		t.Fatalf("new token: %q", got)
	}
	vc := connect(t, f.g.URL+"/servers/echoes/mcp", newToken)
	if names := toolNames(t, vc); !slices.Equal(names, []string{"alpha__echo"}) {
		t.Fatalf("added virtual server lists %v", names)
	}

	// Change the selector: the same virtual session sees the new set.
	f.writeRaw([]byte(strings.Replace(text, `tools: ["alpha__echo"]`, `tools: ["alpha__add"]`, 1)))
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || !rep.Report.VirtualServers {
		t.Fatalf("reload changing the virtual server: %d %+v", code, rep)
	}
	eventually(t, 5*time.Second, "the virtual server's new selection", func() bool {
		return slices.Equal(toolNames(t, vc), []string{"alpha__add"})
	})

	// Remove it.
	f.writeRaw([]byte(strings.Replace(text, "virtual_servers:\n  - {name: echoes, tools: [\"alpha__echo\"]}\n", "", 1)))
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || !rep.Report.VirtualServers {
		t.Fatalf("reload removing the virtual server: %d %+v", code, rep)
	}
	resp, _ := rawPost(t, f.g.URL+"/servers/echoes/mcp", newToken, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("removed virtual server: %d", resp.StatusCode)
	}
}

// countingPlugin counts its lifecycle and the calls it sees.
type countingPlugin struct {
	name                    string
	inits, shutdowns, calls *atomic.Int64
}

func (p *countingPlugin) Name() string { return p.name }
func (p *countingPlugin) Init(context.Context) error {
	p.inits.Add(1)
	return nil
}
func (p *countingPlugin) Shutdown(context.Context) error {
	p.shutdowns.Add(1)
	return nil
}
func (p *countingPlugin) PreCall(context.Context, *plugin.Call) (plugin.Verdict, error) {
	p.calls.Add(1)
	return plugin.Verdict{}, nil
}
func (p *countingPlugin) PostCall(context.Context, *plugin.Call, *plugin.Outcome) (plugin.Verdict, error) {
	return plugin.Verdict{}, nil
}

type pluginCounts struct{ built, inits, shutdowns, calls atomic.Int64 }

func (c *pluginCounts) factories() map[string]plugin.Factory {
	return map[string]plugin.Factory{"counting": func(name string, block *yaml.Node, _ plugin.Deps) (plugin.Plugin, error) {
		var cfg struct {
			Label string `yaml:"label"`
		}
		if err := config.DecodeStrict(block, &cfg); err != nil {
			return nil, err
		}
		c.built.Add(1)
		return &countingPlugin{name: name, inits: &c.inits, shutdowns: &c.shutdowns, calls: &c.calls}, nil
	}}
}

func pluginTail(label string) string {
	return adminTail(fmt.Sprintf("plugins:\n  - {name: counter, type: counting, config: {label: %s}}\n", label))
}

// TestReloadReplacesPlugins: changed plugins are built and initialised
// before the swap, and the replaced ones shut down; an unchanged plugin
// block keeps its instance; a plugin that fails to build refuses the
// reload and leaks nothing.
func TestReloadReplacesPlugins(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	ups := []upstreamSpec{httpSpec(alpha)}
	var counts pluginCounts
	f := newReloadFixture(t, ups, pluginTail("one"), gateway.Options{Plugins: counts.factories()})
	c := connect(t, f.g.URL+"/mcp", adminToken)
	callTool(t, c, "alpha__echo", map[string]any{"message": "x"})

	f.write(ups, pluginTail("one"))
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || rep.Report.Plugins {
		t.Fatalf("unchanged plugins reloaded: %d %+v", code, rep)
	}
	f.write(ups, pluginTail("two"))
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || !rep.Report.Plugins {
		t.Fatalf("changed plugins: %d %+v", code, rep)
	}
	eventually(t, 5*time.Second, "the replaced plugin shut down", func() bool { return counts.shutdowns.Load() == 1 })
	if counts.built.Load() != 2 || counts.inits.Load() != 2 {
		t.Fatalf("built %d, initialised %d; want 2 and 2", counts.built.Load(), counts.inits.Load())
	}
	before := counts.calls.Load()
	callTool(t, c, "alpha__echo", map[string]any{"message": "y"})
	if counts.calls.Load() != before+1 {
		t.Fatal("the new plugin does not see calls")
	}

	// A block the factory rejects: refused, nothing built stays.
	text := strings.Replace(string(renderConfigText(t, ups, pluginTail("three"))), "label: three", "label: three, bogus: 1", 1)
	f.writeRaw([]byte(text))
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusUnprocessableEntity || !strings.Contains(rep.Error, "plugins[0] (counter)") {
		t.Fatalf("bad plugin block: %d %+v", code, rep)
	}
	if counts.built.Load() != 2 || counts.shutdowns.Load() != 1 {
		t.Fatalf("after a refused plugin reload: built %d, shut down %d", counts.built.Load(), counts.shutdowns.Load())
	}
}

// TestReloadReplacesStdioProcess: changing a stdio upstream's command line
// starts a new process and leaves no old one; a filter-only change keeps
// the process.
func TestReloadReplacesStdioProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	spec := stdioSpec(t, "local", "")
	f := newReloadFixture(t, []upstreamSpec{spec}, adminTail(""), gateway.Options{})
	sess, _ := f.g.Sessions().Session("local")
	pid := sess.ProcessID()

	filtered := spec
	filtered.Extra += "\n    tools: {deny: [sleep]}"
	f.write([]upstreamSpec{filtered}, adminTail(""))
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || !slices.Equal(rep.Report.Refiltered, []string{"local"}) {
		t.Fatalf("filter-only reload: %d %+v", code, rep)
	}
	c := connect(t, f.g.URL+"/mcp", adminToken)
	eventually(t, 5*time.Second, "local__sleep filtered out", func() bool {
		return !slices.Contains(toolNames(t, c), "local__sleep")
	})
	if s, _ := f.g.Sessions().Session("local"); s.ProcessID() != pid {
		t.Fatal("a filter-only change restarted the process")
	}

	changed := filtered
	changed.Extra += "\n    args: [\"-test.run=^$\"]"
	f.write([]upstreamSpec{changed}, adminTail(""))
	if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || !slices.Equal(rep.Report.Reconnected, []string{"local"}) {
		t.Fatalf("args reload: %d %+v", code, rep)
	}
	if processAlive(pid) {
		t.Fatalf("the replaced process %d is still running", pid)
	}
	eventually(t, 10*time.Second, "the new process", func() bool {
		s, _ := f.g.Sessions().Session("local")
		return s.ProcessID() != 0 && s.ProcessID() != pid && s.Status().Up
	})
	if got := resultText(callTool(t, c, "local__echo", map[string]any{"message": "new"})); got != "new" {
		t.Fatalf("after replacing the process: %q", got)
	}
}

// TestWatchReloadsOnFileChange: with WatchConfig running, renaming a new
// file into place reloads it.
func TestWatchReloadsOnFileChange(t *testing.T) {
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	beta := upstreamtest.New(t, "beta", upstreamtest.Streamable).Start()
	f := newReloadFixture(t, []upstreamSpec{httpSpec(alpha)}, "", gateway.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.g.WatchConfig(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	eventually(t, 5*time.Second, "the watch to start", func() bool {
		return strings.Contains(f.g.logs.String(), "watching the config file")
	})
	f.write([]upstreamSpec{httpSpec(alpha), httpSpec(beta)}, "")
	eventually(t, 10*time.Second, "beta added by the watch", func() bool {
		_, ok := f.g.Sessions().Session("beta")
		return ok
	})
	if n := counterValue(t, f.g.Metrics().Reloads.WithLabelValues(gateway.TriggerWatch, "ok")); n != 1 {
		t.Fatalf("watch reloads = %v, want 1", n)
	}
}

// rssBytes is this process's resident set size.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("needs /proc")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// settle waits for goroutines to stop changing, then returns the count.
func settle() int {
	prev := -1
	for range 50 {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n == prev {
			return n
		}
		prev = n
		time.Sleep(100 * time.Millisecond)
	}
	return prev
}

// TestReloadsUnderLoadReleaseEverything: 100 reloads, each replacing an
// upstream (alternating beta and gamma), the tokens, the plugins and a
// virtual server, while clients call the unchanged upstream. Afterwards
// goroutines, upstream connections and RSS are where they were, and no
// call to the unchanged upstream failed.
func TestReloadsUnderLoadReleaseEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("100 reloads")
	}
	alpha := upstreamtest.New(t, "alpha", upstreamtest.Streamable).Start()
	beta := upstreamtest.New(t, "beta", upstreamtest.Streamable).Start()
	gamma := upstreamtest.New(t, "gamma", upstreamtest.Streamable).Start()
	var counts pluginCounts
	configs := [2][]byte{
		renderConfigText(t, []upstreamSpec{httpSpec(alpha), httpSpec(beta)},
			pluginTail("b")+"virtual_servers:\n  - {name: vb, tools: [\"beta__*\"]}\n"),
		renderConfigText(t, []upstreamSpec{httpSpec(alpha), httpSpec(gamma)},
			pluginTail("g")+"virtual_servers:\n  - {name: vg, tools: [\"gamma__*\"]}\n"),
	}
	configs[1] = []byte(strings.Replace(string(configs[1]), "name: math,", "name: math2,", 1))
	f := newReloadFixtureRaw(t, configs[0], gateway.Options{Plugins: counts.factories()})

	const workers = 4
	var calls, failures atomic.Int64
	var firstErr atomic.Value
	clients := make([]*clientSession, workers)
	for i := range clients {
		clients[i] = &clientSession{c: connect(t, f.g.URL+"/mcp", adminToken)}
	}
	load := func(stop <-chan struct{}) *sync.WaitGroup {
		var wg sync.WaitGroup
		for _, cs := range clients {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					res, err := callToolErr(cs.c, "alpha__echo", map[string]any{"message": "load"})
					calls.Add(1)
					if err == nil && resultText(res) != "load" {
						err = fmt.Errorf("echo answered %q (error result %v)", resultText(res), res.IsError)
					}
					if err != nil {
						failures.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
				}
			})
		}
		return &wg
	}
	reload := func(i int) {
		f.writeRaw(configs[i%2])
		if code, rep := f.adminReload(reloadAdminToken); code != http.StatusOK || rep.Report.Unchanged {
			t.Fatalf("reload %d: %d %+v", i, code, rep)
		}
	}
	upstreamConns := func() int64 { return alpha.Conns.Open() + beta.Conns.Open() + gamma.Conns.Open() }

	// Warm up under load (pools, lazily built state), then measure idle.
	stop := make(chan struct{})
	wg := load(stop)
	time.Sleep(500 * time.Millisecond)
	reload(1)
	reload(2)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	goroutinesBefore := settle()
	connsBefore := upstreamConns()
	rssBefore := rssBytes(t)

	stop = make(chan struct{})
	wg = load(stop)
	start := time.Now()
	const reloads = 100
	for i := 1; i <= reloads; i++ {
		reload(i)
	}
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	eventually(t, 10*time.Second, "gamma's connections closed (removed by the last reload)", func() bool {
		return gamma.Conns.Open() == 0
	})
	goroutinesAfter := settle()
	connsAfter := upstreamConns()
	rssAfter := rssBytes(t)
	t.Logf("%d reloads in %s under %d calls (%d failed): goroutines %d -> %d, upstream connections %d -> %d, RSS %.1f -> %.1f MiB; plugins built %d, shut down %d",
		reloads, elapsed.Round(time.Millisecond), calls.Load(), failures.Load(), goroutinesBefore, goroutinesAfter,
		connsBefore, connsAfter, float64(rssBefore)/(1<<20), float64(rssAfter)/(1<<20), counts.built.Load(), counts.shutdowns.Load())

	if failures.Load() > 0 {
		t.Errorf("%d of %d calls to the unchanged upstream failed, first: %v", failures.Load(), calls.Load(), firstErr.Load())
	}
	if goroutinesAfter > goroutinesBefore+5 {
		t.Errorf("goroutines grew from %d to %d over %d reloads", goroutinesBefore, goroutinesAfter, reloads)
	}
	if connsAfter > connsBefore+workers {
		t.Errorf("upstream connections grew from %d to %d over %d reloads", connsBefore, connsAfter, reloads)
	}
	if rssAfter > rssBefore+rssBefore/2 {
		t.Errorf("RSS grew from %d to %d bytes over %d reloads", rssBefore, rssAfter, reloads)
	}
	eventually(t, 10*time.Second, "every replaced plugin shut down", func() bool {
		return counts.shutdowns.Load() == counts.built.Load()-1
	})
	if counts.inits.Load() != counts.built.Load() {
		t.Errorf("plugins built %d, initialised %d", counts.built.Load(), counts.inits.Load())
	}
}

type clientSession struct{ c *client.Client }

func newReloadFixtureRaw(t *testing.T, data []byte, opts gateway.Options) *reloadFixture {
	t.Helper()
	f := &reloadFixture{t: t, path: filepath.Join(t.TempDir(), "gateway.yaml")}
	f.writeRaw(data)
	cfg, err := config.Load(f.path)
	if err != nil {
		t.Fatal(err)
	}
	opts.ConfigPath = f.path
	f.g = startGatewayWith(t, cfg, opts)
	ctx, cancel := contextWithTimeout(20 * time.Second)
	defer cancel()
	if err := f.g.WaitReady(ctx); err != nil {
		t.Fatalf("not ready: %v\n%s", err, f.g.logs.String())
	}
	return f
}
