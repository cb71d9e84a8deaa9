package clientchurn_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
)

// BenchmarkAnalyzers measures both checks (and the shared core, which
// builds SSA and computes facts) on the fixtures, packages loaded once:
// what it reports is analysis cost, not loading. Compare runs with
// benchstat to see regressions.
func BenchmarkAnalyzers(b *testing.B) {
	gopath, err := filepath.Abs("testdata")
	if err != nil {
		b.Fatal(err)
	}
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax,
		Dir:  filepath.Join(gopath, "src"),
		Env:  append(os.Environ(), "GO111MODULE=off", "GOPATH="+gopath, "GOFLAGS="),
	}
	pkgs, err := packages.Load(cfg, "churn", "libuser", "fixes")
	if err != nil || packages.PrintErrors(pkgs) > 0 {
		b.Fatalf("loading fixtures: %v", err)
	}
	analyzers := []*analysis.Analyzer{clientchurn.Analyzer, clientshutdown.Analyzer}
	b.ReportAllocs()
	for b.Loop() {
		g, err := checker.Analyze(analyzers, pkgs, nil)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for act := range g.All() {
			n += len(act.Diagnostics)
		}
		if n == 0 {
			b.Fatal("no diagnostics: the benchmark is not measuring the checks")
		}
	}
}
