package main_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// churnlint is the binary under test, built once by TestMain.
var churnlint string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "churnlint-bin")
	if err != nil {
		panic(err)
	}
	churnlint = filepath.Join(dir, "churnlint")
	out, err := exec.Command("go", "build", "-o", churnlint, ".").CombinedOutput()
	if err != nil {
		panic("building churnlint: " + err.Error() + "\n" + string(out))
	}
	// Every run of the tests shares one cache of its own, never the user's:
	// all the tests below exercise it, TestCache* check it.
	os.Setenv("CHURNLINT_CACHE", filepath.Join(dir, "cache"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// copyModule copies a fixture module under ../../testdata to a temporary
// directory, so that runs (and fixes) never touch the repository.
func copyModule(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "..", "testdata", name)
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// run runs a command in dir and returns its combined output and exit code.
func run(t *testing.T, dir string, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		t.Fatalf("%s %v: %v", name, args, err)
		return "", -1
	}
}

// The findings churnyapp must produce, as file:line and fragments that the
// finding (its message and, after " | ", its related information) must
// contain, separated by " && ".
var wantChurnyapp = append([]string{
	"notify.go:11: Notifier keeps an HTTP transport in Notifier.client but has no Close method; add one that releases it" +
		" && | the pool in client is created here",
	"reports.go:17: Handler creates a new HTTP transport per call and drops it; create it once and reuse it" +
		" && | the pool comes from Handler -> &http.Transport{} && | Handler handles an HTTP request",
	// The two forms of the field fix: lazily (Prober is exported) and in
	// the constructor (checker, which also gets a Close).
	"probes.go:25: Prober.Collect creates a new HTTP transport per call and drops it && | Prober.Collect runs on every metrics scrape",
	"probes.go:49: checker.ServeHTTP creates a new HTTP transport per call and drops it",
}, wantUnfixable...)

// wantUnfixable are the findings that have no safe automatic fix: they
// remain after -fix, and say why.
var wantUnfixable = []string{
	"handlers.go:16: Proxy.ServeHTTP creates a new HTTP transport per call and drops it" +
		" && | the pool comes from Proxy.ServeHTTP -> upstream.NewClient -> &http.Transport{} && | Proxy.ServeHTTP is an HTTP handler" +
		" && | the pool is created here && | no automatic fix: it is built in another package",
	"handlers.go:28: Health creates a new HTTP transport per call and drops it" +
		" && | the pool comes from Health -> upstream.Ping -> upstream.NewClient -> &http.Transport{}",
	"handlers.go:35: Metrics creates a new HTTP transport per call and closes it; create it once and reuse it" +
		" && | the pool comes from Metrics -> http.Transport.Clone()",
}

var findingLine = regexp.MustCompile(`(?m)^(\t?)(?:\S*/)?([\w.-]+\.go):(\d+):\d+: (.*)$`)

// findings extracts "file:line: message | related | related" from driver
// output: the standalone command indents related information, go vet
// starts its message with a tab.
func findings(out string) []string {
	got := []string{}
	for _, m := range findingLine.FindAllStringSubmatch(out, -1) {
		if m[1] != "" || strings.HasPrefix(m[4], "\t") {
			if len(got) > 0 {
				got[len(got)-1] += " | " + strings.TrimPrefix(m[4], "\t")
			}
			continue
		}
		// The command names the check after the message; go vet does not.
		msg := strings.TrimSuffix(strings.TrimSuffix(m[4], " (clientchurn)"), " (clientshutdown)")
		got = append(got, m[2]+":"+m[3]+": "+msg)
	}
	sort.Strings(got)
	return got
}

// message is a finding's message alone, without related information.
func message(finding string) string {
	_, msg, _ := strings.Cut(finding, ": ")
	msg, _, _ = strings.Cut(msg, " | ")
	return msg
}

func checkFindings(t *testing.T, out string, want []string) {
	t.Helper()
	got := findings(out)
	want = append([]string(nil), want...)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), out)
	}
	for i, w := range want {
		where, what, _ := strings.Cut(w, ": ")
		if !strings.HasPrefix(got[i], where+": ") {
			t.Errorf("finding %d:\n got %s\nwant %s", i, got[i], w)
			continue
		}
		for _, frag := range strings.Split(what, " && ") {
			if !strings.Contains(got[i], frag) {
				t.Errorf("finding %d lacks %q:\n got %s", i, frag, got[i])
			}
		}
		if n := len(message(got[i])); n >= 120 {
			t.Errorf("finding %d: the message is %d characters, want one sentence under 120: %s", i, n, message(got[i]))
		}
	}
}

func TestStandalone(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	out, code := run(t, dir, churnlint, "./...")
	if code != 3 {
		t.Errorf("exit code %d, want 3 (findings)\n%s", code, out)
	}
	checkFindings(t, out, wantChurnyapp)

	out, code = run(t, dir, churnlint, "./clean/...")
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("clean package: exit %d, output %q; want 0 and nothing", code, out)
	}
}

func TestJSON(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	out, code := run(t, dir, churnlint, "-json", "./...")
	if code != 3 {
		t.Errorf("-json exit code %d, want 3 (findings, as in every format)\n%s", code, out)
	}
	var tree map[string]map[string][]struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		t.Fatalf("-json output is not JSON: %v\n%s", err, out)
	}
	diags := tree["example.com/churnyapp/handlers"]["clientchurn"]
	if len(diags) != 3 {
		t.Fatalf("got %d diagnostics for handlers, want 3:\n%s", len(diags), out)
	}
	if n := len(tree["example.com/churnyapp/notify"]["clientshutdown"]); n != 1 {
		t.Errorf("got %d clientshutdown diagnostics for notify, want 1:\n%s", n, out)
	}
	if n := len(tree["example.com/churnyapp/clean"]["clientchurn"]); n != 0 {
		t.Errorf("got %d diagnostics for the clean package:\n%s", n, out)
	}
}

func TestVetTool(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	// Facts cross the package boundary through vet's .vetx files here:
	// upstream is analysed in its own process before handlers.
	out, code := run(t, dir, "go", "vet", "-vettool="+churnlint, "./...")
	if code != 1 {
		t.Errorf("go vet exit code %d, want 1 (findings)\n%s", code, out)
	}
	checkFindings(t, out, wantChurnyapp)

	out, code = run(t, dir, "go", "vet", "-vettool="+churnlint, "./clean/...")
	if code != 0 {
		t.Errorf("go vet on a clean package: exit %d\n%s", code, out)
	}
}

// snapshot reads every Go file of a module, to tell whether a run changed
// anything.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := make(map[string]string)
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(path, ".go") {
			data, _ := os.ReadFile(path)
			files[path] = string(data)
		}
		return nil
	})
	return files
}

// checkUnchanged fails for every Go file under dir that differs from, was
// added to or was removed from the snapshot before.
func checkUnchanged(t *testing.T, dir string, before map[string]string, what string) {
	t.Helper()
	after := snapshot(t, dir)
	for path, text := range after {
		if old, ok := before[path]; !ok || old != text {
			t.Errorf("%s changed %s", what, path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			t.Errorf("%s removed %s", what, path)
		}
	}
}

// checkFixed checks a module after fixes: it builds, vets, is gofmt-clean,
// its tests pass, only the findings without a fix remain, and fixing again
// changes nothing.
func checkFixed(t *testing.T, dir string, fixAgain func()) {
	t.Helper()
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "./..."}} {
		if out, code := run(t, dir, "go", args...); code != 0 {
			t.Fatalf("after the fix, go %s fails:\n%s", strings.Join(args, " "), out)
		}
	}
	if out, _ := run(t, dir, "gofmt", "-l", "."); strings.TrimSpace(out) != "" {
		t.Errorf("after the fix, gofmt would change:\n%s", out)
	}
	out, code := run(t, dir, churnlint, "./...")
	if code != 3 {
		t.Errorf("after the fix: exit %d, want 3 for the findings without a fix\n%s", code, out)
	}
	checkFindings(t, out, wantUnfixable)
	for _, f := range findings(out) {
		if !strings.Contains(f, " | no automatic fix: ") {
			t.Errorf("finding without a fix does not say why: %s", f)
		}
	}
	before := snapshot(t, dir)
	fixAgain()
	checkUnchanged(t, dir, before, "fixing again")
}

func TestFixStandalone(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	fix := func() {
		if out, code := run(t, dir, churnlint, "-fix", "./..."); code != 0 && code != 3 {
			t.Fatalf("churnlint -fix: exit %d\n%s", code, out)
		}
	}
	fix()
	checkFixed(t, dir, fix)
}

func TestFixTool(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	fix := func() {
		if out, code := run(t, dir, "go", "fix", "-fixtool="+churnlint, "./..."); code != 0 {
			t.Fatalf("go fix: exit %d\n%s", code, out)
		}
	}
	fix()
	checkFixed(t, dir, fix)
}

func TestVetToolFix(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	fix := func() {
		if out, code := run(t, dir, "go", "vet", "-vettool="+churnlint, "-fix", "./..."); code != 0 && code != 1 {
			t.Fatalf("go vet -fix: exit %d\n%s", code, out)
		}
	}
	fix()
	checkFixed(t, dir, fix)
}
