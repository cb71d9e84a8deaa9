package fixverify_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/internal/fixverify"
)

// BenchmarkVerify measures both checks over the fixture packages richest
// in fixes (packages loaded once), with fixverify on and off: the ratio of
// the two is what verifying the fixes costs. On real code fixes are far
// rarer than here, where most findings carry one.
func BenchmarkVerify(b *testing.B) {
	load := func(dir string, pkgs ...string) []*packages.Package {
		gopath, err := filepath.Abs(dir)
		if err != nil {
			b.Fatal(err)
		}
		cfg := &packages.Config{
			Mode: packages.LoadAllSyntax,
			Dir:  filepath.Join(gopath, "src"),
			Env:  append(os.Environ(), "GO111MODULE=off", "GOPATH="+gopath, "GOFLAGS="),
		}
		loaded, err := packages.Load(cfg, pkgs...)
		if err != nil || packages.PrintErrors(loaded) > 0 {
			b.Fatalf("loading fixtures: %v", err)
		}
		return loaded
	}
	pkgs := append(load("../../clientchurn/testdata", "churn", "fixes", "libuser"),
		load("../../clientshutdown/testdata", "owners", "plugins")...)
	analyzers := []*analysis.Analyzer{clientchurn.Analyzer, clientshutdown.Analyzer}
	for _, mode := range []struct {
		name string
		off  bool
	}{{"verify", false}, {"off", true}} {
		b.Run(mode.name, func(b *testing.B) {
			defer fixverify.SetDisabled(fixverify.SetDisabled(mode.off))
			b.ReportAllocs()
			for b.Loop() {
				g, err := checker.Analyze(analyzers, pkgs, nil)
				if err != nil {
					b.Fatal(err)
				}
				fixes := 0
				for act := range g.All() {
					for _, d := range act.Diagnostics {
						fixes += len(d.SuggestedFixes)
					}
				}
				if fixes == 0 {
					b.Fatal("no fixes: the benchmark is not measuring verification")
				}
				b.ReportMetric(float64(fixes), "fixes/op")
			}
		})
	}
}
