// Package fixcheck checks, for the analyzers' tests, that every diagnostic
// over a set of fixtures offers a suggested fix or says why it has none.
package fixcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// NoFix starts the related note a diagnostic without a fix must carry,
// followed by the reason.
const NoFix = "no automatic fix: "

// reason returns the no-fix note of d, if it has one.
func reason(d analysis.Diagnostic) (string, bool) {
	for _, r := range d.Related {
		if why, ok := strings.CutPrefix(r.Message, NoFix); ok {
			return why, true
		}
	}
	return "", false
}

// loadErrors is an analysistest.Testing that ignores mismatched "want"
// comments (the other tests check those) and keeps only load and
// analysis failures.
type loadErrors []string

func (l *loadErrors) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.HasPrefix(msg, "loading ") || strings.HasPrefix(msg, "Analyze: ") || strings.HasPrefix(msg, "error analyzing ") {
		*l = append(*l, msg)
	}
}

// Packages lists the fixture packages under dir/src, leaving out the
// stubs of third-party modules (paths with a dot).
func Packages(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(filepath.Join(dir, "src"))
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, e := range entries {
		if e.IsDir() && !strings.Contains(e.Name(), ".") {
			pkgs = append(pkgs, e.Name())
		}
	}
	return pkgs
}

// FixedOrExplained runs a over every fixture package under dir and checks
// that each diagnostic offers a fix or says "no automatic fix: <why>" in a
// related note,
// and never both.
func FixedOrExplained(t *testing.T, dir string, a *analysis.Analyzer) {
	t.Helper()
	var errs loadErrors
	results := analysistest.Run(&errs, dir, a, Packages(t, dir)...)
	for _, e := range errs {
		t.Error(e)
	}
	seen := 0
	for _, res := range results {
		for _, d := range res.Diagnostics {
			seen++
			where := res.Pass.Fset.Position(d.Pos)
			why, explained := reason(d)
			switch {
			case len(d.SuggestedFixes) > 0 && explained:
				t.Errorf("%s: offers a fix and says it has none: %s", where, d.Message)
			case len(d.SuggestedFixes) == 0 && !explained:
				t.Errorf("%s: no fix and no reason: %s", where, d.Message)
			case explained && len(strings.TrimSpace(why)) < 10:
				t.Errorf("%s: the reason is empty: %s", where, d.Message)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no diagnostics at all: the fixtures were not analysed")
	}
	t.Logf("%d diagnostics checked", seen)
}

// wantComment matches an analysistest expectation to the end of its line.
var wantComment = regexp.MustCompile(`[ \t]*// want .*`)

// Fixed copies the fixture tree dir/src to a temporary directory, with
// each of pkgs holding its .golden files in place of the sources they fix
// and no "want" comments, and returns the copy's testdata root: what the
// fixes make of the fixtures, ready to be analysed again.
func Fixed(t *testing.T, dir string, pkgs ...string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "src"), os.DirFS(filepath.Join(dir, "src"))); err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		pkgDir := filepath.Join(root, "src", pkg)
		goldens, err := filepath.Glob(filepath.Join(pkgDir, "*.golden"))
		if err != nil || len(goldens) == 0 {
			t.Fatalf("package %s has no .golden files (%v)", pkg, err)
		}
		for _, g := range goldens {
			if err := os.Rename(g, strings.TrimSuffix(g, ".golden")); err != nil {
				t.Fatal(err)
			}
		}
		sources, _ := filepath.Glob(filepath.Join(pkgDir, "*.go"))
		for _, src := range sources {
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(src, wantComment.ReplaceAll(data, nil), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// OnlyExplained runs a over pkgs under root and fails on a load or type
// error (a fix that does not compile) and on every diagnostic that offers
// a fix: after the fixes, only the findings without one may remain.
func OnlyExplained(t *testing.T, root string, a *analysis.Analyzer, pkgs ...string) {
	t.Helper()
	var errs loadErrors
	results := analysistest.Run(&errs, root, a, pkgs...)
	for _, e := range errs {
		t.Error(e)
	}
	if len(results) == 0 {
		t.Fatalf("%s: nothing was analysed", a.Name)
	}
	for _, res := range results {
		for _, d := range res.Diagnostics {
			if _, explained := reason(d); len(d.SuggestedFixes) > 0 || !explained {
				t.Errorf("%s after the fixes, %s: %s", a.Name, res.Pass.Fset.Position(d.Pos), d.Message)
			}
		}
	}
}

// Count returns how many diagnostics a reports over pkgs under root.
func Count(t *testing.T, root string, a *analysis.Analyzer, pkgs ...string) int {
	t.Helper()
	var errs loadErrors
	n := 0
	for _, res := range analysistest.Run(&errs, root, a, pkgs...) {
		n += len(res.Diagnostics)
	}
	for _, e := range errs {
		t.Error(e)
	}
	return n
}
