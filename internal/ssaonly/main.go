// Command ssaonly is the baseline of churnlint's benchmarks: an analyzer
// that requires buildssa and does nothing else, run by the x/tools
// singlechecker. Its cost is what any SSA-based analyzer pays before it
// looks at a single instruction (see scripts/bench.sh).
package main

import (
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/analysis/singlechecker"
)

var analyzer = &analysis.Analyzer{
	Name:     "ssaonly",
	Doc:      "build SSA for every package and report nothing (a benchmark baseline)",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      func(*analysis.Pass) (any, error) { return nil, nil },
}

func main() { singlechecker.Main(analyzer) }
