package fixverify_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/internal/fixcheck"
	"github.com/churnlint/churnlint/analyzers/internal/fixverify"
)

// TestDroppedFixThroughClientchurn: the broken-memoisation fix of issue 18
// ("DefaultClient = c" written into the user's package) is what clientchurn
// builds for a merge with http.DefaultClient; through the analyzer's own
// Run it arrives without the fix and with the reason. Without fixverify the
// same finding carries the fix, so it is fixverify that drops it.
func TestDroppedFixThroughClientchurn(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), clientchurn.Analyzer, "globalmemo")
	if n := fixes(results); n != 0 {
		t.Errorf("%d fixes offered; want the broken one dropped", n)
	}

	defer fixverify.SetDisabled(fixverify.SetDisabled(true))
	var offered []analysis.SuggestedFix
	for _, res := range analysistest.Run(ignoreWants{t}, analysistest.TestData(), clientchurn.Analyzer, "globalmemo") {
		for _, d := range res.Diagnostics {
			offered = append(offered, d.SuggestedFixes...)
		}
	}
	if len(offered) != 1 || !strings.Contains(string(offered[0].TextEdits[0].NewText), "DefaultClient = c") {
		t.Fatalf("without fixverify clientchurn offers %d fixes; want its DefaultClient = c (did the analyzer change? then find another shape)", len(offered))
	}
}

// TestGoldenFixesAreVerified runs both checks over their fixtures: every fix
// they still offer is one fixverify checked (not one it kept because it
// could not check it), and the fixes of a package applied together, as
// the drivers do, add no type error either.
func TestGoldenFixesAreVerified(t *testing.T) {
	for _, a := range []*analysis.Analyzer{clientchurn.Analyzer, clientshutdown.Analyzer} {
		dir, err := filepath.Abs(filepath.Join("..", "..", a.Name, "testdata"))
		if err != nil {
			t.Fatal(err)
		}
		verified := 0
		for _, res := range analysistest.Run(ignoreWants{t}, dir, a, fixcheck.Packages(t, dir)...) {
			for _, d := range res.Diagnostics {
				for _, fix := range d.SuggestedFixes {
					why, err := fixverify.Verify(res.Pass, fix)
					if err != nil || why != "" {
						t.Errorf("%s %s: fix %q: %q, %v", a.Name, res.Pass.Fset.Position(d.Pos), fix.Message, why, err)
					}
					verified++
				}
			}
			errs, err := fixverify.Together(res.Pass, res.Diagnostics)
			if err != nil || len(errs) > 0 {
				t.Errorf("%s %s: the fixes together: %q, %v", a.Name, res.Pass.Pkg.Path(), errs, err)
			}
		}
		if verified == 0 {
			t.Errorf("%s offered no fix over its fixtures", a.Name)
		}
		t.Logf("%s: %d fixes verified", a.Name, verified)
	}
}

func fixes(results []*analysistest.Result) int {
	n := 0
	for _, res := range results {
		for _, d := range res.Diagnostics {
			n += len(d.SuggestedFixes)
		}
	}
	return n
}

// ignoreWants is an analysistest.Testing for runs whose "want" comments
// are checked elsewhere (or describe the verified run).
// Load and analysis failures still fail the test.
type ignoreWants struct{ t *testing.T }

func (w ignoreWants) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if strings.HasPrefix(msg, "loading ") || strings.HasPrefix(msg, "Analyze: ") || strings.HasPrefix(msg, "error analyzing ") {
		w.t.Helper()
		w.t.Error(msg)
	}
}
