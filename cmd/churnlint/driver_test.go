package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The lean loader (dependencies from export data) and the full loader
// (everything from source, the x/tools checker) must find the same things:
// the lean one only skips work the analyzers would skip.
func TestLoadersAgree(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	lean, code := run(t, dir, churnlint, "./...")
	if code != 3 {
		t.Fatalf("lean: exit %d\n%s", code, lean)
	}
	full, code := run(t, dir, churnlint, "-loader=full", "./...")
	if code != 3 {
		t.Fatalf("full: exit %d\n%s", code, full)
	}
	if !slices.Equal(findings(lean), findings(full)) {
		t.Errorf("the loaders disagree:\nlean:\n%s\nfull:\n%s", lean, full)
	}
}

func TestGitHubFormat(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	out, code := runStdout(t, dir, churnlint, "-format=github", "./reports/")
	if code != 3 {
		t.Errorf("exit %d, want 3\n%s", code, out)
	}
	if !strings.HasPrefix(out, "::warning file=reports/reports.go,line=17,col=14,title=churnlint clientchurn::Handler ") || strings.Count(out, "::warning ") != 1 {
		t.Errorf("want one GitHub warning, got:\n%s", out)
	}
	// Related positions are notices that name their finding.
	out, _ = runStdout(t, dir, churnlint, "-format=github", "./notify/")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "::warning file=notify/notify.go,line=11,") ||
		!strings.HasPrefix(lines[1], "::notice file=notify/notify.go,line=19,col=50,title=churnlint clientshutdown (related to notify/notify.go%3A11%3A6)::") {
		t.Errorf("want a warning and a notice at the related position, got:\n%s", out)
	}
}

func TestDiffChangesNothing(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	before := snapshot(t, dir)
	out, code := runStdout(t, dir, churnlint, "-diff", "./...")
	if code != 3 {
		t.Errorf("-diff: exit %d, want 3\n%s", code, out)
	}
	for _, want := range []string{"+var handlerTransport = &http.Transport{", "+func (n *Notifier) Close() error {"} {
		if !strings.Contains(out, want) {
			t.Errorf("the diff lacks %q:\n%s", want, out)
		}
	}
	checkUnchanged(t, dir, before, "-diff")
}

// A package that does not type-check is reported as such (exit 1), and the
// other packages are still analysed.
func TestTypeErrorKeepsTheRest(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	broken := filepath.Join(dir, "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "package broken\n\nimport \"net/http\"\n\nvar Client http.Client = \"not a client\"\n"
	if err := os.WriteFile(filepath.Join(broken, "broken.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, loader := range []string{"lean", "full"} {
		out, code := run(t, dir, churnlint, "-loader="+loader, "./...")
		if code != 1 {
			t.Errorf("%s: exit %d, want 1 (a package failed)\n%s", loader, code, out)
		}
		if !strings.Contains(out, "example.com/churnyapp/broken") || !strings.Contains(out, "broken.go:5:") {
			t.Errorf("%s: the error does not name the package and position:\n%s", loader, out)
		}
		if n := len(findings(out)); n < len(wantChurnyapp) {
			t.Errorf("%s: %d findings besides the error, want the %d of the other packages:\n%s", loader, n, len(wantChurnyapp), out)
		}
	}
	out, code := run(t, dir, churnlint, "./nosuchpackage/")
	if code != 1 || !strings.Contains(out, "nosuchpackage") {
		t.Errorf("a missing package: exit %d, want 1 and its name:\n%s", code, out)
	}
}

func TestConfigFile(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, ".churnlint.yml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The file turns a check off; a flag turns it back on.
	write("checks:\n  clientshutdown: false\n")
	out, code := run(t, dir, churnlint, "./...")
	if code != 3 || strings.Contains(out, "clientshutdown") || len(findings(out)) != len(wantChurnyapp)-1 {
		t.Errorf("clientshutdown off by the file: exit %d\n%s", code, out)
	}
	out, _ = run(t, dir, churnlint, "-clientshutdown=true", "./...")
	checkFindings(t, out, wantChurnyapp)

	// The file is found from a subdirectory too (at the module root).
	sub, code := run(t, filepath.Join(dir, "notify"), churnlint, ".")
	if code != 0 || strings.TrimSpace(sub) != "" {
		t.Errorf("from notify/, the module's file should silence clientshutdown: exit %d\n%s", code, sub)
	}

	// A constructor declared in the file makes a finding.
	addPinger(t, dir)
	if out, code := run(t, dir, churnlint, "./clean/"); code != 0 {
		t.Fatalf("without the constructor, clean/ is clean: exit %d\n%s", code, out)
	}
	write("constructors:\n  - example.com/churnyapp/pinger.New:client\n")
	out, code = run(t, dir, churnlint, "./clean/")
	if code != 3 || !strings.Contains(out, "pinger.New") {
		t.Errorf("a constructor from the file was not used: exit %d\n%s", code, out)
	}

	// Bad files are errors that say where.
	for text, want := range map[string]string{
		"constructor:\n  - x.Y\n":         "line 1: field constructor not found",
		"tests: maybe\n":                  "line 1: cannot unmarshal",
		"entrypoints: ['not an entry']\n": `entrypoints[0]: entry point "not an entry"`,
		"checks:\n  clientchurm: false\n": `no check named "clientchurm"`,
	} {
		write(text)
		out, code := run(t, dir, churnlint, "./...")
		if code != 1 || !strings.Contains(out, ".churnlint.yml") || !strings.Contains(out, want) {
			t.Errorf("config %q: exit %d, want 1 and %q:\n%s", text, code, want, out)
		}
	}
	out, code = run(t, dir, churnlint, "-config=none", "./...")
	if code != 3 {
		t.Errorf("-config=none should ignore the bad file: exit %d\n%s", code, out)
	}
}

// runStdout is run, with only the command's standard output returned.
func runStdout(t *testing.T, dir, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		if stderr.Len() > 0 {
			t.Logf("%s stderr:\n%s", name, stderr.String())
		}
		return string(out), exit.ExitCode()
	}
	t.Fatalf("%s: %v", name, err)
	return "", -1
}

func TestHelpAndVersion(t *testing.T) {
	out, code := run(t, ".", churnlint, "help", "clientchurn")
	if code != 0 || !strings.HasPrefix(out, "clientchurn: ") || !strings.Contains(out, "-clientchurn.constructors") {
		t.Errorf("help clientchurn: exit %d\n%s", code, out)
	}
	if out, code := run(t, ".", churnlint, "help", "nosuch"); code != 1 || !strings.Contains(out, `no check named "nosuch"`) {
		t.Errorf("help nosuch: exit %d\n%s", code, out)
	}
	if out, code := run(t, ".", churnlint, "-V"); code != 0 || !strings.HasPrefix(out, "churnlint ") {
		t.Errorf("-V: exit %d\n%s", code, out)
	}
	if out, code := run(t, ".", churnlint, "-format=xml", "./..."); code != 1 || !strings.Contains(out, "-format=xml") {
		t.Errorf("-format=xml: exit %d\n%s", code, out)
	}
}

// go vet forwards the checks' flags to the tool: turning a check off, and
// a setting (a constructor) that makes a finding in another package.
func TestVetToolFlags(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	out, code := run(t, dir, "go", "vet", "-vettool="+churnlint, "-clientshutdown=false", "./...")
	if code != 1 || strings.Contains(out, "Notifier keeps") || len(findings(out)) != len(wantChurnyapp)-1 {
		t.Errorf("go vet -clientshutdown=false: exit %d\n%s", code, out)
	}
	addPinger(t, dir)
	if out, code := run(t, dir, "go", "vet", "-vettool="+churnlint, "./clean/"); code != 0 {
		t.Fatalf("without the constructor, clean/ is clean: exit %d\n%s", code, out)
	}
	out, code = run(t, dir, "go", "vet", "-vettool="+churnlint, "-clientchurn.constructors=example.com/churnyapp/pinger.New:client", "./clean/")
	if code != 1 || !strings.Contains(out, "pinger.New") {
		t.Errorf("go vet -clientchurn.constructors: exit %d, want 1 and a finding through pinger.New\n%s", code, out)
	}
}

// addPinger adds to a churnyapp copy a package whose New returns a client
// that churnlint does not know to be a pool, and a handler in clean/ that
// calls it per request: a finding once New is declared a constructor.
func addPinger(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"pinger/pinger.go": "package pinger\n\nimport \"net/http\"\n\n// New returns a client for health checks.\nfunc New() *http.Client { return &http.Client{} }\n",
		"clean/ping.go": "package clean\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/churnyapp/pinger\"\n)\n\n" +
			"// Ping checks the backend on every request.\nfunc Ping(w http.ResponseWriter, r *http.Request) {\n\tif resp, err := pinger.New().Get(\"http://127.0.0.1:9/\"); err == nil {\n\t\tresp.Body.Close()\n\t}\n}\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
