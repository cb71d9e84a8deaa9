// Package fixcheck checks, for the analyzers' tests, that every diagnostic
// over a set of fixtures offers a suggested fix or says why it has none.
package fixcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// NoFix is the phrase a diagnostic without a fix must carry, followed by
// the reason.
const NoFix = "(no automatic fix: "

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
// that each diagnostic offers a fix or says "(no automatic fix: <why>)",
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
			_, why, explained := strings.Cut(d.Message, NoFix)
			why, _, _ = strings.Cut(why, ")")
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
