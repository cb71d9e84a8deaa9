package golangci

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestGolangciLint builds bin/custom-gcl (golangci-lint with this plugin)
// with scripts/golangci-custom.sh and runs it on testdata/golangcifixture.
// It is slow the first time (the script installs and compiles golangci-lint:
// minutes) and needs the Go module proxy, so it runs only when asked:
//
//	CHURNLINT_GOLANGCI=1 go test -timeout 30m -run TestGolangciLint -v ./golangci/
//
// The script reuses bin/custom-gcl when it is up to date.
func TestGolangciLint(t *testing.T) {
	if os.Getenv("CHURNLINT_GOLANGCI") != "1" {
		t.Skip("set CHURNLINT_GOLANGCI=1 to build bin/custom-gcl and run it on testdata/golangcifixture")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	build := exec.Command("bash", filepath.Join(root, "scripts", "golangci-custom.sh"))
	build.Dir = root
	out, err := build.CombinedOutput()
	t.Logf("scripts/golangci-custom.sh (%s):\n%s", time.Since(start).Round(time.Second), out)
	if err != nil {
		t.Fatalf("scripts/golangci-custom.sh: %v", err)
	}
	gcl := filepath.Join(root, "bin", "custom-gcl")

	// One result cache for this test only: golangci-lint's own cache can
	// hold results of an older build of the plugin.
	l := &linter{bin: gcl, cache: t.TempDir()}

	t.Run("findings and SARIF", func(t *testing.T) {
		dir := copyFixture(t)
		text, code := l.run(t, dir, "--output.json.path=out.json", "--output.sarif.path=x.sarif", "--output.text.path=stdout")
		if code != 1 {
			t.Fatalf("exit %d, want 1 (issues found):\n%s", code, text)
		}
		issues := readJSONIssues(t, filepath.Join(dir, "out.json"))
		checkIssues(t, issues, wantFindings)
		for _, is := range issues {
			if len(is.SuggestedFixes) == 0 {
				t.Errorf("%s: no suggested fix", is.at())
			}
		}
		checkSARIF(t, filepath.Join(dir, "x.sarif"), wantFindings)
	})

	t.Run("nolint", func(t *testing.T) {
		// The fixture's Probe is only quiet because of //nolint:churnlint.
		dir := copyFixture(t)
		path := filepath.Join(dir, "server", "server.go")
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		stripped := regexp.MustCompile(`\s*//nolint:churnlint[^\n]*`).ReplaceAll(src, nil)
		if len(stripped) == len(src) {
			t.Fatal("server/server.go has no //nolint:churnlint")
		}
		if err := os.WriteFile(path, stripped, 0o644); err != nil {
			t.Fatal(err)
		}
		text, code := l.run(t, dir, "--output.json.path=out.json", "--output.text.path=stdout")
		if code != 1 {
			t.Fatalf("exit %d, want 1:\n%s", code, text)
		}
		checkIssues(t, readJSONIssues(t, filepath.Join(dir, "out.json")), append(slices.Clone(wantFindings), suppressed))
	})

	// churnlint's own directive works inside the analyzers, so
	// golangci-lint honours it like the command does, reason-less
	// directives included.
	t.Run("churnlint:ignore", func(t *testing.T) {
		for _, tc := range []struct {
			name, directive string
			wants           []finding
		}{
			{"with a reason", " //churnlint:ignore clientchurn probes are rare; accepted", wantFindings},
			{"without a reason", "\n\t//churnlint:ignore clientchurn", append(slices.Clone(wantFindings),
				finding{"server/server.go:24", []string{"clientchurn: //churnlint:ignore clientchurn has no reason"}},
				finding{"server/server.go:25", suppressed.wants})},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dir := copyFixture(t)
				path := filepath.Join(dir, "server", "server.go")
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				probe := "\tc := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Second}}"
				nolint := " //nolint:churnlint // probes are rare; accepted"
				var edited string
				if strings.HasPrefix(tc.directive, "\n") {
					edited = strings.Replace(string(src), probe+nolint, tc.directive[1:]+"\n"+probe, 1)
				} else {
					edited = strings.Replace(string(src), nolint, tc.directive, 1)
				}
				if edited == string(src) {
					t.Fatalf("server/server.go has no %q", probe+nolint)
				}
				if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
					t.Fatal(err)
				}
				text, code := l.run(t, dir, "--output.json.path=out.json", "--output.text.path=stdout")
				if code != 1 {
					t.Fatalf("exit %d, want 1:\n%s", code, text)
				}
				checkIssues(t, readJSONIssues(t, filepath.Join(dir, "out.json")), tc.wants)
			})
		}
	})

	t.Run("fix", func(t *testing.T) {
		dir := copyFixture(t)
		text, code := l.run(t, dir, "--fix")
		if code != 0 {
			t.Errorf("--fix: exit %d, want 0 (every finding fixed):\n%s", code, text)
		}
		for file, wants := range wantFixed {
			src, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range wants {
				if !strings.Contains(string(src), want) {
					t.Errorf("%s after --fix lacks %q:\n%s", file, want, src)
				}
			}
		}
		for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
			cmd := exec.Command("go", args...)
			cmd.Dir = dir
			cmd.Env = l.env()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("go %s after --fix: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		text, code = l.run(t, dir, "--output.json.path=out.json", "--output.text.path=stdout")
		if issues := readJSONIssues(t, filepath.Join(dir, "out.json")); code != 0 || len(issues) != 0 {
			t.Errorf("after --fix: exit %d and %d issues, want 0 and none:\n%s", code, len(issues), text)
		}
	})

	t.Run("unknown setting", func(t *testing.T) {
		dir := copyFixture(t)
		cfg := filepath.Join(dir, ".golangci.yml")
		src, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		bad := strings.Replace(string(src), "entrypoints: [Handle]", "entrypoints: [Handle]\n          entry_points: [Serve]", 1)
		if bad == string(src) {
			t.Fatal("fixture .golangci.yml has no entrypoints: [Handle]")
		}
		if err := os.WriteFile(cfg, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		text, code := l.run(t, dir)
		if code == 0 || code == 1 || !strings.Contains(text, `unknown key "entry_points"`) {
			t.Errorf("exit %d, want a failure naming the unknown key entry_points:\n%s", code, text)
		}
	})
}

// finding is an issue expected at file:line, with fragments of its text.
type finding struct {
	at    string
	wants []string
}

var wantFindings = []finding{
	{"server/server.go:12", []string{"clientchurn: Fetch creates a new HTTP transport per call and drops it; create it once and reuse it"}},
	// Reported only because of the plugin setting entrypoints: [Handle].
	{"server/jobs.go:14", []string{"clientchurn: Job.Handle creates a new HTTP transport per call"}},
	{"notify/notify.go:12", []string{"clientshutdown: Notifier keeps an HTTP transport in Notifier.client but has no Close method; add one that releases it"}},
}

// suppressed is the finding //nolint:churnlint hides.
var suppressed = finding{"server/server.go:24", []string{"clientchurn: Probe creates a new HTTP transport per call"}}

// wantFixed are fragments of the fixture's files after --fix.
var wantFixed = map[string][]string{
	"server/server.go": {
		"var fetchTransport = &http.Transport{MaxIdleConnsPerHost: 8}",
		"c := &http.Client{Transport: fetchTransport, Timeout: 5 * time.Second}",
		// Suppressed, so not fixed either.
		"c := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Second}} //nolint:churnlint",
	},
	"server/jobs.go":   {"var jobHandleTransport = &http.Transport{MaxConnsPerHost: 2}", "c := &http.Client{Transport: jobHandleTransport}"},
	"notify/notify.go": {"func (n *Notifier) Close() error {", "n.client.CloseIdleConnections()"},
}

type linter struct {
	bin, cache string
}

func (l *linter) env() []string {
	return append(os.Environ(),
		"GOLANGCI_LINT_CACHE="+l.cache,
		"GOWORK=off",
		"GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=local",
		"GOPROXY=off", // the fixture needs nothing but the standard library
	)
}

// run runs `custom-gcl run ARGS ./...` in dir with dir/.golangci.yml and
// returns its combined output and exit code.
func (l *linter) run(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	args = append(append([]string{"run", "--config", filepath.Join(dir, ".golangci.yml")}, args...), "./...")
	cmd := exec.Command(l.bin, args...)
	cmd.Dir = dir
	cmd.Env = l.env()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("custom-gcl %s (%s)", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		t.Fatalf("custom-gcl %v: %v", args, err)
		return "", -1
	}
}

// copyFixture copies testdata/golangcifixture to a temporary directory, so
// that runs (and fixes) never touch the repository.
func copyFixture(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "testdata", "golangcifixture")
	dst := filepath.Join(t.TempDir(), "golangcifixture")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// issue is the part of golangci-lint's JSON output the test reads.
type issue struct {
	FromLinter string
	Text       string
	Pos        struct {
		Filename     string
		Line, Column int
	}
	SuggestedFixes []json.RawMessage
}

func (is issue) at() string { return fmt.Sprintf("%s:%d", is.Pos.Filename, is.Pos.Line) }

func readJSONIssues(t *testing.T, path string) []issue {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var report struct{ Issues []issue }
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return report.Issues
}

// checkIssues checks that issues are exactly the wanted findings, each from
// churnlint.
func checkIssues(t *testing.T, issues []issue, wants []finding) {
	t.Helper()
	byAt := make(map[string]issue)
	for _, is := range issues {
		if is.FromLinter != "churnlint" {
			t.Errorf("%s: issue from %q, want churnlint: %s", is.at(), is.FromLinter, is.Text)
		}
		if _, dup := byAt[is.at()]; dup {
			t.Errorf("%s: two issues", is.at())
		}
		byAt[is.at()] = is
	}
	for _, w := range wants {
		is, ok := byAt[w.at]
		if !ok {
			t.Errorf("%s: no issue, want %q", w.at, w.wants)
			continue
		}
		delete(byAt, w.at)
		for _, frag := range w.wants {
			if !strings.Contains(is.Text, frag) {
				t.Errorf("%s: %q lacks %q", w.at, is.Text, frag)
			}
		}
	}
	for at, is := range byAt {
		t.Errorf("%s: unexpected issue %q", at, is.Text)
	}
}

// checkSARIF checks the structure SARIF 2.1.0 requires of a log (version,
// runs, each run's tool.driver.name, each result's message.text) and that
// its results are the wanted findings.
func checkSARIF(t *testing.T, path string, wants []finding) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version *string `json:"version"`
		Runs    []struct {
			Tool *struct {
				Driver *struct {
					Name string `json:"name"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message *struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	if log.Version == nil || *log.Version != "2.1.0" {
		t.Fatalf("%s: version %v, want 2.1.0", path, log.Version)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%s: %d runs, want 1", path, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == "" {
		t.Fatalf("%s: no tool.driver.name", path)
	}
	var issues []issue
	for i, r := range run.Results {
		if r.Message == nil || r.Message.Text == "" {
			t.Errorf("%s: result %d has no message.text", path, i)
			continue
		}
		if r.RuleID != "churnlint" {
			t.Errorf("%s: result %d has ruleId %q, want churnlint", path, i, r.RuleID)
		}
		switch r.Level {
		case "", "none", "note", "warning", "error":
		default:
			t.Errorf("%s: result %d has level %q", path, i, r.Level)
		}
		if len(r.Locations) != 1 {
			t.Errorf("%s: result %d has %d locations, want 1", path, i, len(r.Locations))
			continue
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
			t.Errorf("%s: result %d has region %+v", path, i, loc.Region)
		}
		is := issue{FromLinter: r.RuleID, Text: r.Message.Text}
		is.Pos.Filename, is.Pos.Line = loc.ArtifactLocation.URI, loc.Region.StartLine
		issues = append(issues, is)
	}
	checkIssues(t, issues, wants)
}
