package clientchurn

import (
	_ "embed"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/lifetime"
	"github.com/churnlint/churnlint/analyzers/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports pools created per call and dropped.
var Analyzer = &analysis.Analyzer{
	Name:     "clientchurn",
	Doc:      lifetime.AnalyzerDoc(doc, "clientchurn"),
	URL:      "https://github.com/churnlint/churnlint#clientchurn",
	Requires: []*analysis.Analyzer{lifetime.Analyzer},
	Run:      suppress.Run(run), // honours //churnlint:ignore
}

func init() {
	lifetime.ShareFlags(&Analyzer.Flags) // the settings, as -<check>.<name>
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[lifetime.Analyzer].(*lifetime.Result)
	if res.Pkg == nil {
		return nil, nil
	}
	r := &reporter{pass: pass, res: res, churned: make(map[lifetime.SourcePos]*analysis.Diagnostic), byOrigin: make(map[token.Pos]*analysis.Diagnostic)}
	for _, f := range res.Funcs {
		for _, s := range f.Sites {
			r.site(f, s)
		}
		for _, c := range f.Churns {
			r.churnCall(f, c)
		}
	}
	r.remoteDrops()
	// One finding per pool created in another package: the first chain
	// that reaches it, with the others as related information.
	for _, key := range r.churnOrder {
		r.pass.Report(*r.churned[key])
	}
	for _, origin := range r.originOrder {
		r.pass.Report(*r.byOrigin[origin])
	}
	return nil, nil
}

type reporter struct {
	pass  *analysis.Pass
	res   *lifetime.Result
	used  map[string]bool                      // names given to hoisted vars in this pass
	fixes map[token.Pos]*analysis.SuggestedFix // hoists already built, by the pool's position
	// fieldFixed names, for each type a fix adds a field to, the method
	// whose pool it is: one such fix per type and run, or their edits of
	// the type's declaration would collide.
	fieldFixed map[*types.Named]string
	// churned holds the finding for each pool made in another package,
	// by where it is made, in the order first reached.
	churned    map[lifetime.SourcePos]*analysis.Diagnostic
	churnOrder []lifetime.SourcePos
	// byOrigin holds the finding for each pool made in another function
	// of this package, by where it is made, in the order first reached.
	byOrigin    map[token.Pos]*analysis.Diagnostic
	originOrder []token.Pos
}
