package lifetime

import (
	"go/ast"
	"go/build"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/knowledge"
)

// relevant reports whether the package can create, wrap or pass on a pool.
// Everything else is skipped before any SSA is built, which is what keeps
// churnlint cheap on large module graphs.
func relevant(pass *analysis.Pass, cat *catalog.Catalog) bool {
	if isStd(pass) {
		return false
	}
	var imports []string
	for _, imp := range pass.Pkg.Imports() {
		imports = append(imports, imp.Path())
	}
	return Relevant(cat, imports, func(path string) bool {
		for _, imp := range pass.Pkg.Imports() {
			if imp.Path() == path {
				return pass.ImportPackageFact(imp, new(PackageFact))
			}
		}
		return false
	})
}

// Relevant reports whether a package outside the standard library with
// these direct imports can touch a pool: it imports net/http (or a fork of
// it, knowledge.HTTPPackages), a package of
// the catalog, or a package that exported a fact (hasFact). Drivers use it
// to skip type-checking a dependency from source when the analyzer would
// skip it anyway.
func Relevant(cat *catalog.Catalog, imports []string, hasFact func(path string) bool) bool {
	for _, path := range imports {
		if knowledge.IsHTTPPackage(path) || cat.Mentions(path) || hasFact(path) {
			return true
		}
	}
	return false
}

var goroot = filepath.Clean(build.Default.GOROOT) + string(filepath.Separator)

// isStd reports whether the package is part of the standard library. The
// catalog already describes the pools the standard library makes.
func isStd(pass *analysis.Pass) bool {
	if len(pass.Files) == 0 {
		return true
	}
	name := pass.Fset.File(pass.Files[0].Pos()).Name()
	return strings.HasPrefix(filepath.Clean(name), goroot)
}

// buildSSA builds SSA for the package's own functions, as buildssa does,
// but without the ctrlflow pass whose facts would force every dependency
// to be analysed and built too.
func buildSSA(pass *analysis.Pass) (*ssa.Package, []*ssa.Function) {
	prog := ssa.NewProgram(pass.Fset, ssa.BuilderMode(0))
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()

	var funcs []*ssa.Function
	var add func(f *ssa.Function)
	add = func(f *ssa.Function) {
		funcs = append(funcs, f)
		for _, anon := range f.AnonFuncs {
			add(anon)
		}
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			if decl, ok := decl.(*ast.FuncDecl); ok {
				obj, _ := pass.TypesInfo.Defs[decl.Name].(*types.Func)
				if f := prog.FuncValue(obj); f != nil {
					add(f)
				}
			}
		}
	}
	// Package-level var initialisers live in init; they may call helpers
	// that return pools, which we must see stored in globals.
	if init := pkg.Func("init"); init != nil {
		add(init)
	}
	return pkg, funcs
}
