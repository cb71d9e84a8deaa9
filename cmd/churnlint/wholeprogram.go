package main

import (
	"go/types"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// The lean loader has every package of the run in one process, so after
// the last one is analysed it can match what facts alone cannot: a call
// dropped per request through an interface or a function-typed field
// whose implementation is in a package that neither imports the caller's
// nor is imported by it, both wired together by main
// (lifetime.MatchProgram). Each package holding a matched implementation
// is given the matches as a ProgramDrops fact and analysed again, so that
// its check reports them at the creation site like any other dropped
// call. Only roots report, as always; the match reads no source and builds
// no SSA: it compares the facts of the analysed packages on the types
// their export data gives, in the loader's one type universe.

// matchWholeProgram runs the whole-program match and re-analyses the
// roots that get matches.
func (r *leanRun) matchWholeProgram() {
	byPath := make(map[string]*unit, len(r.units))
	for _, u := range r.units {
		byPath[u.pkg.PkgPath] = u
	}
	var pkgs []*lifetime.ProgramPackage
	for _, u := range r.units {
		if u.std {
			continue
		}
		path := u.pkg.PkgPath
		dropped, facts := new(lifetime.DroppedCalls), new(lifetime.ProgramFacts)
		hasDropped := r.importFact(objectFactKey{}, packageFactKey{path, factType(dropped)}, dropped)
		hasFacts := r.importFact(objectFactKey{}, packageFactKey{path, factType(facts)}, facts)
		if !hasDropped && !hasFacts {
			continue
		}
		p := &lifetime.ProgramPackage{Path: path, Deps: dependencies(u)}
		if hasDropped {
			p.Dropped = dropped
		}
		if hasFacts {
			p.Facts = facts
		}
		pkgs = append(pkgs, p)
	}
	typesOf := func(path string) *types.Package {
		u := byPath[path]
		if u == nil {
			return nil
		}
		tp, err := r.readExport(u)
		if err != nil {
			return nil // a package that does not build has no implementations to match
		}
		return tp
	}
	for path, drops := range lifetime.MatchProgram(pkgs, typesOf) {
		u := byPath[path]
		if u == nil || !u.root || u.partial != nil || len(u.errs) > 0 {
			continue
		}
		r.exportFact(objectFactKey{}, packageFactKey{path, factType(drops)}, drops)
		u.diags = nil
		r.analyze(u)
	}
}

// dependencies returns the paths of the packages u depends on, directly
// or not, and its own.
func dependencies(u *unit) map[string]bool {
	deps := make(map[string]bool)
	var visit func(d *unit)
	visit = func(d *unit) {
		if deps[d.pkg.PkgPath] {
			return
		}
		deps[d.pkg.PkgPath] = true
		for _, dd := range d.deps {
			visit(dd)
		}
	}
	visit(u)
	return deps
}
