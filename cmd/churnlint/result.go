package main

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// diagnostic is a finding and the check that made it.
type diagnostic struct {
	analysis.Diagnostic
	Check string
}

// pkgResult is what the analysis of one root package produced, whichever
// loader ran it.
type pkgResult struct {
	ID, Path string
	Fset     *token.FileSet
	Diags    []diagnostic
	Errors   []string // the package did not load, type-check or analyse
}

// analyzeFull runs the analyzers through the x/tools checker, on packages
// loaded with all their dependencies' syntax. It costs far more memory
// than the lean loader; -tests needs it (see fullLoader).
func analyzeFull(analyzers []*analysis.Analyzer, buildFlags, patterns []string) ([]*pkgResult, error) {
	cfg := &packages.Config{Mode: packages.LoadAllSyntax | packages.NeedModule, BuildFlags: buildFlags, Tests: lifetime.ConfigOf(&lifetime.ConfigAnalyzer.Flags).Tests}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no packages match %v", patterns)
	}
	graph, err := checker.Analyze(analyzers, pkgs, nil)
	if err != nil {
		return nil, err
	}
	byPkg := make(map[*packages.Package]*pkgResult)
	var results []*pkgResult
	for _, p := range pkgs {
		r := &pkgResult{ID: p.ID, Path: p.PkgPath, Fset: p.Fset}
		for _, e := range p.Errors {
			r.Errors = append(r.Errors, e.Error())
		}
		byPkg[p] = r
		results = append(results, r)
	}
	for _, act := range graph.Roots {
		r := byPkg[act.Package]
		if act.Err != nil && len(act.Package.Errors) == 0 {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", act.Analyzer.Name, act.Err))
		}
		for _, d := range act.Diagnostics {
			r.Diags = append(r.Diags, diagnostic{Diagnostic: d, Check: act.Analyzer.Name})
		}
	}
	return results, nil
}

func countDiagnostics(results []*pkgResult) int {
	n := 0
	for _, r := range results {
		n += len(r.Diags)
	}
	return n
}

// withoutDiagnostics returns results less the diagnostics in drop.
func withoutDiagnostics(results []*pkgResult, drop map[*analysis.Diagnostic]bool) []*pkgResult {
	var out []*pkgResult
	for _, r := range results {
		c := *r
		c.Diags = nil
		for i := range r.Diags {
			if !drop[&r.Diags[i].Diagnostic] {
				c.Diags = append(c.Diags, r.Diags[i])
			}
		}
		out = append(out, &c)
	}
	return out
}
