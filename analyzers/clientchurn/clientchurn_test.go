package clientchurn_test

import (
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/passes/copylock"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/internal/findingtest"
	"github.com/churnlint/churnlint/analyzers/internal/fixcheck"
)

func TestShapes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "churn", "cmdmain")
}

// TestAcrossPackages checks that facts carry summaries across packages.
func TestAcrossPackages(t *testing.T) {
	// lib has no "want": calling its helpers once is fine, so nothing is
	// reported there; libuser calls them per request.
	results := analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "lib", "libuser")
	// A pool made in another package that the driver loaded is pointed at
	// as related information, not in words.
	created := relatedPositions(results, func(msg string) bool { return msg == "the pool is created here" })
	if !slices.Contains(created, "lib/lib.go:9") {
		t.Errorf("no finding points at lib/lib.go:9 as the creation site; related creation sites: %v", created)
	}
}

// TestFixes checks each fix against its .golden file; the cases without a
// safe edit say why in the message (no_fix.go has no golden: no edits).
func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "fixes", "fieldtwice")
}

// TestFlagTests checks that -tests turns on reports in _test.go files.
func TestFlagTests(t *testing.T) {
	if err := clientchurn.Analyzer.Flags.Set("tests", "true"); err != nil {
		t.Fatal(err)
	}
	defer clientchurn.Analyzer.Flags.Set("tests", "false")
	analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "withtests")
}

// TestFunctionalOptions checks a pool handed over through an option.
func TestFunctionalOptions(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "options")
}

// TestEveryFindingFixedOrExplained checks, over every fixture package,
// that each diagnostic either offers a fix or says why it cannot.
func TestEveryFindingFixedOrExplained(t *testing.T) {
	fixcheck.FixedOrExplained(t, analysistest.TestData(), clientchurn.Analyzer)
}

// TestFixedFixturesStayQuiet applies every fix (the .golden files) and
// analyses the result again: it must type-check, and only the findings
// that had no fix may remain, so that fixing twice changes nothing. The
// fixes package has no clientshutdown finding before its fixes, and must
// have none after them: a pool moved into a field comes with its release.
// copylock checks the sync.Once fields added.
func TestFixedFixturesStayQuiet(t *testing.T) {
	root := fixcheck.Fixed(t, analysistest.TestData(), "fixes", "churn")
	fixcheck.OnlyExplained(t, root, clientchurn.Analyzer, "fixes", "churn")
	if n := fixcheck.Count(t, analysistest.TestData(), clientshutdown.Analyzer, "fixes"); n != 0 {
		t.Fatalf("the fixes package has %d clientshutdown findings before its fixes; want none", n)
	}
	fixcheck.OnlyExplained(t, root, clientshutdown.Analyzer, "fixes")
	fixcheck.OnlyExplained(t, root, copylock.Analyzer, "fixes")
}

// TestDroppedThroughInterface checks an interface call whose
// implementation lives in a package that imports the caller's: the
// caller's per-call drop travels as a package fact, and the
// implementation reports at its creation site.
func TestDroppedThroughInterface(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "ifaceplugin", "ifaceserver")
	callers := relatedPositions(results, func(string) bool { return true })
	if !slices.Contains(callers, "ifaceserver/server.go:32") {
		t.Errorf("the finding does not point at the handler's call (server.go:32); related: %v", callers)
	}
}

// relatedPositions lists, as dir/file.go:line, the related positions of
// every diagnostic whose message keep accepts.
func relatedPositions(results []*analysistest.Result, keep func(msg string) bool) []string {
	var out []string
	for _, r := range results {
		for _, d := range r.Diagnostics {
			for _, rel := range d.Related {
				if keep(rel.Message) {
					p := r.Pass.Fset.Position(rel.Pos)
					out = append(out, filepath.Base(filepath.Dir(p.Filename))+"/"+filepath.Base(p.Filename)+":"+strconv.Itoa(p.Line))
				}
			}
		}
	}
	return out
}
