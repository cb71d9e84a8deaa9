package clientshutdown

import (
	_ "embed"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/internal/release"
	"github.com/churnlint/churnlint/analyzers/lifetime"
	"github.com/churnlint/churnlint/analyzers/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports owners that open a pool and never release it.
var Analyzer = &analysis.Analyzer{
	Name:     "clientshutdown",
	Doc:      lifetime.AnalyzerDoc(doc, "clientshutdown"),
	URL:      "https://github.com/churnlint/churnlint#clientshutdown",
	Requires: []*analysis.Analyzer{lifetime.Analyzer},
	Run:      suppress.Run(run), // honours //churnlint:ignore
}

func init() {
	lifetime.ShareFlags(&Analyzer.Flags) // the settings, as -clientshutdown.<name>
}

// run reports what single functions do wrong with the pools they make
// (check.go), then what owners lack to release the pools they keep
// (release.Collect and Check, whose problems carry their fixes); report.go
// words them all.
func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[lifetime.Analyzer].(*lifetime.Result)
	if res.Pkg == nil {
		return nil, nil
	}
	c := &checker{pass: pass, res: res, setupsReported: make(map[*ssa.Function]bool)}
	for _, f := range res.Funcs {
		if f.RunsOnce() {
			continue
		}
		for _, s := range f.Sites {
			c.replaced(f, s)
			c.partialRelease(f, s)
			c.setupWithoutTeardown(f, s)
		}
	}
	owners := release.Collect(pass, res)
	for _, o := range owners.Sorted() {
		for _, p := range owners.Check(o) {
			c.reportProblem(p)
		}
	}
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	res  *lifetime.Result
	// setupsReported: one finding per setup function, at its first pool.
	setupsReported map[*ssa.Function]bool
	called         map[*ssa.Function]bool // see calledHere
}
