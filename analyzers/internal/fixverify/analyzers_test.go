package fixverify_test

import (
	"fmt"
	"go/ast"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/internal/findingtest"
	"github.com/churnlint/churnlint/analyzers/internal/fixcheck"
	"github.com/churnlint/churnlint/analyzers/internal/fixverify"
)

// brokenFix offers, on every function, a fix that calls a function that
// does not exist: the shape of issue 18's "DefaultClient = c" written into
// the user's package (clientchurn no longer builds that one).
var brokenFix = &analysis.Analyzer{
	Name: "brokenfix",
	Doc:  "offers a fix that does not compile",
	Run: fixverify.Run(func(pass *analysis.Pass) (any, error) {
		for _, f := range pass.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil || fd.Name.Name != "fetch" {
					continue
				}
				at := fd.Body.Lbrace + 1
				pass.Report(analysis.Diagnostic{Pos: fd.Pos(), Message: "fetch needs a fix",
					SuggestedFixes: []analysis.SuggestedFix{{Message: "call undefinedName",
						TextEdits: []analysis.TextEdit{{Pos: at, End: at, NewText: []byte("\n\tundefinedName()")}}}}})
			}
		}
		return nil, nil
	}),
}

// TestDroppedFixThroughAnAnalyzer: through fixverify.Run, a fix that would
// not compile arrives without the fix and with the reason; without
// fixverify the same finding carries it.
func TestDroppedFixThroughAnAnalyzer(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, brokenFix), "globalmemo")
	if n := fixes(results); n != 0 {
		t.Errorf("%d fixes offered; want the broken one dropped", n)
	}
	defer fixverify.SetDisabled(fixverify.SetDisabled(true))
	if n := fixes(analysistest.Run(ignoreWants{t}, analysistest.TestData(), brokenFix, "globalmemo")); n != 1 {
		t.Fatalf("without fixverify the analyzer offers %d fixes; want 1", n)
	}
}

// TestDefaultClientMergeIsNoMemo: the merge with http.DefaultClient is no
// broken memoisation any more (no fix writes another package's variable);
// per request it is the new transport per call it is.
func TestDefaultClientMergeIsNoMemo(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "clientchurn"))
	if err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, dir, findingtest.Wrap(t, clientchurn.Analyzer), "globalmemo")
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
