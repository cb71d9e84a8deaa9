package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/objectpath"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// The lean loader analyses a package graph the way `go vet` does, but in
// one process: the packages named on the command line and the dependencies
// that can touch a pool are type-checked from source, one at a time per
// core; every package they import is read from the compiler's export data,
// which `go list -export` produces or finds in the build cache. Facts stay
// in memory, keyed by object path as go vet's are, so a package's syntax,
// types and SSA are garbage as soon as it is analysed. This is what keeps a
// standalone run far below the memory of the x/tools checker, which holds
// the whole dependency graph from source as soon as an analyzer has facts.
//
// Export data identifies packages by path, so one path must mean one
// package: test variants (which reuse their package's path) are not loaded
// here; -tests uses the full loader.

// unit is one package of the graph.
type unit struct {
	pkg  *packages.Package
	root bool
	std  bool
	deps []*unit
	done chan struct{}

	// Set once done.
	partial  *types.Package // a root that failed to type-check: its types, for its importers
	hasFacts bool
	diags    []diagnostic
	errs     []string // load and type errors, for roots

	// For the cache (see cache.go).
	exported map[exportedKey]analysis.Fact // the facts it exported
	factsID  []byte                        // their hash
	summary  []byte                        // what importers' keys hash of it
}

// exportedKey names a fact a package exported about one of its objects
// (path "" for the package itself).
type exportedKey struct {
	path objectpath.Path
	typ  string
}

// leanRun holds one analysis of a package graph.
type leanRun struct {
	analyzers []*analysis.Analyzer // enabled checks, each requiring lifetime
	catalog   *catalog.Catalog     // the settings' catalog, for needsSource
	fset      *token.FileSet
	units     map[string]*unit // by package ID

	exportMu sync.Mutex
	imported map[string]*types.Package // by path: every package the type checker has seen

	factsMu      sync.Mutex
	objectFacts  map[objectFactKey]analysis.Fact
	packageFacts map[packageFactKey]analysis.Fact

	depErrsMu sync.Mutex
	depErrs   []string // dependencies that failed to type-check from source

	cache       *actionCache // nil: no cache
	replayMu    sync.Mutex
	replayFiles map[string]*token.File // files that replayed positions point into
}

// Facts are keyed by package path and object path, as go vet's serialized
// facts are, because an object's importers see it through export data,
// not through the types its own package was checked with (those are
// dropped once the package is analysed: they hold every local scope).
type objectFactKey struct {
	pkg  string
	path objectpath.Path
	typ  string
}

type packageFactKey struct {
	pkg string
	typ string
}

// loadMode asks go list for the graph and the export data files only; no
// type information and no syntax.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedDeps | packages.NeedExportFile |
	packages.NeedModule | packages.NeedTypesSizes

// analyzeLean loads patterns and runs the analyzers, returning one result
// per root package, in the order go list gave them.
func analyzeLean(analyzers []*analysis.Analyzer, buildFlags, patterns []string, cache *actionCache) ([]*pkgResult, error) {
	// Peak memory is one or two large packages' syntax, types and SSA in
	// flight (aws-sdk's ec2 is 667 files) on top of the export data: a
	// tighter GC pays about a tenth more CPU for a quarter less peak RSS
	// (nomad: 1.4 GB instead of 1.6 to 2.0). GOGC set by the user wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	lifetime.ExportProgramFacts = true // for matchWholeProgram
	r := &leanRun{
		analyzers:    analyzers,
		catalog:      lifetime.ConfigOf(&lifetime.ConfigAnalyzer.Flags).Catalog,
		fset:         token.NewFileSet(),
		units:        make(map[string]*unit),
		imported:     map[string]*types.Package{"unsafe": types.Unsafe},
		objectFacts:  make(map[objectFactKey]analysis.Fact),
		packageFacts: make(map[packageFactKey]analysis.Fact),
		cache:        cache,
		replayFiles:  make(map[string]*token.File),
	}
	var runKey []byte
	var env map[string]string
	if cache != nil {
		// A run whose inputs are all unchanged needs no go list at all.
		if text, vars, err := goEnv(); err == nil {
			runKey, env = cache.runKey(patterns, text), vars
			if results := r.lookupRun(runKey); results != nil {
				cache.runHit = true
				return results, nil
			}
		}
	}
	cfg := &packages.Config{Mode: loadMode, BuildFlags: buildFlags}
	roots, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(patterns, " "))
	}
	var order []*unit
	packages.Visit(roots, nil, func(p *packages.Package) {
		u := &unit{pkg: p, std: isStandard(p), done: make(chan struct{})}
		for _, imp := range p.Imports {
			u.deps = append(u.deps, r.units[imp.ID])
		}
		r.units[p.ID] = u
		order = append(order, u)
	})
	for _, p := range roots {
		r.units[p.ID].root = true
	}

	// Each unit waits for its imports, so that export data and source are
	// always read with every dependency complete.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, u := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(u.done)
			for _, d := range u.deps {
				<-d.done
			}
			if !u.root && !r.needsSource(u) {
				if r.cache != nil {
					r.summarize(u)
				}
				return
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			if r.cache == nil {
				r.analyze(u)
				return
			}
			r.analyzeCached(u)
		}()
	}
	wg.Wait()
	r.matchWholeProgram()

	var results []*pkgResult
	for _, p := range roots {
		u := r.units[p.ID]
		results = append(results, &pkgResult{ID: p.ID, Path: p.PkgPath, Fset: r.fset, Diags: u.diags, Errors: u.errs})
	}
	if runKey != nil && len(r.depErrs) == 0 {
		r.storeRun(runKey, env, roots)
	}
	if n := len(r.depErrs); n > 0 {
		fmt.Fprintf(os.Stderr, "churnlint: %d dependencies did not type-check from source and were read from export data instead (their facts are missing); first: %s\n", n, r.depErrs[0])
	}
	return results, nil
}

// analyzeCached replays u's analysis from the cache, or runs it and
// stores what it produced.
func (r *leanRun) analyzeCached(u *unit) {
	key, err := r.actionKey(u)
	if err == nil {
		if e := r.cache.get(key); e != nil {
			if err := r.replay(u, e); err == nil {
				r.cache.hits.Add(1)
				r.summarize(u)
				return
			}
			u.diags, u.exported = nil, nil
		}
	}
	r.cache.misses.Add(1)
	r.analyze(u)
	facts, id, ferr := factsOf(u)
	u.factsID = id
	if err == nil && ferr == nil && len(u.errs) == 0 && u.partial == nil {
		_ = r.cache.put(key, r.entryOf(u, facts)) // a failed write only costs the next run a re-analysis
	}
	r.summarize(u)
}

// isStandard reports whether p belongs to the standard library: no module,
// and no dot in the first element of its path.
func isStandard(p *packages.Package) bool {
	first, _, _ := strings.Cut(p.PkgPath, "/")
	return p.Module == nil && !strings.Contains(first, ".")
}

// needsSource reports whether a dependency can touch a pool, by the same
// rule the lifetime analyzer applies to itself.
func (r *leanRun) needsSource(u *unit) bool {
	if u.std {
		return false
	}
	var imports []string
	hasFacts := make(map[string]bool)
	for _, d := range u.deps {
		imports = append(imports, d.pkg.PkgPath)
		hasFacts[d.pkg.PkgPath] = d.hasFacts
	}
	return lifetime.Relevant(r.catalog, imports, func(path string) bool { return hasFacts[path] })
}

// analyze type-checks u from source and runs the analyzers on it: every
// enabled one on a root, only lifetime (for its facts) on a dependency.
func (r *leanRun) analyze(u *unit) {
	p := u.pkg
	files, tpkg, info, typeErrs := r.typeCheck(u)
	if u.root && len(typeErrs) == 0 {
		// go list's own errors (a missing import, a failed compile); when
		// the type checker found the cause, its positions say it better.
		for _, e := range p.Errors {
			u.errs = append(u.errs, e.Error())
		}
	}
	failed := len(typeErrs) > 0 || len(p.Errors) > 0
	if failed && !u.root {
		// Importers read its export data instead; it has no facts.
		r.depErrsMu.Lock()
		msg := p.PkgPath
		if len(typeErrs) > 0 {
			msg += ": " + typeErrs[0].Error()
		}
		r.depErrs = append(r.depErrs, msg)
		r.depErrsMu.Unlock()
		return
	}
	if failed {
		// A root that failed has no export data, but still lends its
		// partial types to the roots that import it, which then report
		// their own errors.
		u.partial = tpkg
		for _, e := range typeErrs {
			u.errs = append(u.errs, e.Error())
		}
		return
	}

	r.completeGraph(u)
	module := &analysis.Module{}
	if m := p.Module; m != nil {
		module = &analysis.Module{Path: m.Path, Version: m.Version, GoVersion: m.GoVersion}
	}
	results := make(map[*analysis.Analyzer]any)
	paths := new(objectpath.Encoder) // one per package: it caches what it walked
	var runAnalyzer func(a *analysis.Analyzer) error
	runAnalyzer = func(a *analysis.Analyzer) error {
		if _, done := results[a]; done {
			return nil
		}
		for _, req := range a.Requires {
			if err := runAnalyzer(req); err != nil {
				return err
			}
		}
		pass := &analysis.Pass{
			Analyzer:   a,
			Fset:       r.fset,
			Files:      files,
			Pkg:        tpkg,
			TypesInfo:  info,
			TypesSizes: p.TypesSizes,
			Module:     module,
			ResultOf:   results,
			ReadFile:   os.ReadFile,
			Report: func(d analysis.Diagnostic) {
				u.diags = append(u.diags, diagnostic{Diagnostic: d, Check: a.Name})
			},
			ImportObjectFact: func(obj types.Object, ptr analysis.Fact) bool {
				key, ok := objectKey(paths, obj, ptr)
				return ok && r.importFact(key, packageFactKey{}, ptr)
			},
			ImportPackageFact: func(pkg *types.Package, ptr analysis.Fact) bool {
				return r.importFact(objectFactKey{}, packageFactKey{pkg.Path(), factType(ptr)}, ptr)
			},
			ExportObjectFact: func(obj types.Object, fact analysis.Fact) {
				// An object with no path cannot be named by an importer:
				// go vet drops such facts too.
				if key, ok := objectKey(paths, obj, fact); ok {
					r.exportFact(key, packageFactKey{}, fact)
					u.hasFacts = true
					u.export(exportedKey{key.path, key.typ}, fact)
				}
			},
			ExportPackageFact: func(fact analysis.Fact) {
				r.exportFact(objectFactKey{}, packageFactKey{tpkg.Path(), factType(fact)}, fact)
				u.hasFacts = true
				u.export(exportedKey{"", factType(fact)}, fact)
			},
			AllObjectFacts:  func() []analysis.ObjectFact { return nil },
			AllPackageFacts: func() []analysis.PackageFact { return nil },
		}
		res, err := safeRun(a, pass)
		if err != nil {
			return err
		}
		results[a] = res
		return nil
	}
	todo := []*analysis.Analyzer{lifetime.Analyzer}
	if u.root {
		todo = r.analyzers
	}
	for _, a := range todo {
		if err := runAnalyzer(a); err != nil {
			u.errs = append(u.errs, err.Error())
			return
		}
	}
}

func (u *unit) export(k exportedKey, f analysis.Fact) {
	if u.exported == nil {
		u.exported = make(map[exportedKey]analysis.Fact)
	}
	u.exported[k] = f
}

// completeGraph reads the export data of every package u depends on,
// directly or not, before the analyzers run on u. Reading a package's
// export data completes its *types.Package in the shared map, where other
// packages' export data left it an incomplete stub (SetImports, scope
// entries); an analyzer walking u's import graph (fixverify does) must not
// see a stub that another goroutine is completing. Once complete, a package
// is never written again.
func (r *leanRun) completeGraph(u *unit) {
	seen := make(map[*unit]bool)
	var visit func(d *unit)
	visit = func(d *unit) {
		for _, dd := range d.deps {
			if !seen[dd] {
				seen[dd] = true
				visit(dd)
				if dd.pkg.ExportFile != "" {
					_, _ = r.readExport(dd) // an error is the type checker's to report
				}
			}
		}
	}
	visit(u)
}

// safeRun runs one analyzer, turning a panic into an error: one package's
// trouble must not end the run or hide the other findings.
func safeRun(a *analysis.Analyzer, pass *analysis.Pass) (res any, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: internal error analysing %s: %v (please report it)", a.Name, pass.Pkg.Path(), v)
		}
	}()
	return a.Run(pass)
}

// typeCheck parses and type-checks u from source, importing its
// dependencies from the packages checked so far or from export data.
func (r *leanRun) typeCheck(u *unit) ([]*ast.File, *types.Package, *types.Info, []error) {
	p := u.pkg
	var errs []error
	var files []*ast.File
	for _, name := range p.CompiledGoFiles {
		f, err := parser.ParseFile(r.fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			errs = append(errs, err)
		}
		if f != nil {
			files = append(files, f)
		}
	}
	info := &types.Info{
		Types:        make(map[ast.Expr]types.TypeAndValue),
		Defs:         make(map[*ast.Ident]types.Object),
		Uses:         make(map[*ast.Ident]types.Object),
		Implicits:    make(map[ast.Node]types.Object),
		Instances:    make(map[*ast.Ident]types.Instance),
		Scopes:       make(map[ast.Node]*types.Scope),
		Selections:   make(map[*ast.SelectorExpr]*types.Selection),
		FileVersions: make(map[*ast.File]string),
	}
	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) { return r.importFor(u, path) }),
		Sizes:    p.TypesSizes,
		Error:    func(err error) { errs = append(errs, err) },
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	tpkg, _ := conf.Check(p.PkgPath, r.fset, files, info)
	return files, tpkg, info, errs
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// importFor resolves an import path as written in u's source.
func (r *leanRun) importFor(u *unit, path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	imp, ok := u.pkg.Imports[path]
	if !ok {
		return nil, fmt.Errorf("%s is not among the imports go list found for %s", path, u.pkg.PkgPath)
	}
	d := r.units[imp.ID]
	if d.pkg.ExportFile == "" && d.partial != nil {
		return d.partial, nil
	}
	return r.readExport(d)
}

// readExport reads d's export data into the shared package map. Reads are
// sequential because each may complete packages other reads share.
func (r *leanRun) readExport(d *unit) (*types.Package, error) {
	r.exportMu.Lock()
	defer r.exportMu.Unlock()
	if tp := r.imported[d.pkg.PkgPath]; tp != nil && tp.Complete() {
		return tp, nil
	}
	if d.pkg.ExportFile == "" {
		return nil, fmt.Errorf("no export data for %s (does it build?)", d.pkg.PkgPath)
	}
	f, err := os.Open(d.pkg.ExportFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// go list -export still writes archives in go1.26; go/packages reads
	// them the same way until Read accepts them directly.
	rd, err := gcexportdata.NewReader(f) //nolint:staticcheck // see above
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %v", d.pkg.PkgPath, err)
	}
	tp, err := gcexportdata.Read(rd, r.fset, r.imported, d.pkg.PkgPath)
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %v", d.pkg.PkgPath, err)
	}
	return tp, nil
}

func factType(f analysis.Fact) string { return fmt.Sprintf("%T", f) }

func objectKey(paths *objectpath.Encoder, obj types.Object, fact analysis.Fact) (objectFactKey, bool) {
	if obj == nil || obj.Pkg() == nil {
		return objectFactKey{}, false
	}
	path, err := paths.For(obj)
	if err != nil {
		return objectFactKey{}, false
	}
	return objectFactKey{obj.Pkg().Path(), path, factType(fact)}, true
}

func (r *leanRun) exportFact(ok objectFactKey, pk packageFactKey, fact analysis.Fact) {
	r.factsMu.Lock()
	defer r.factsMu.Unlock()
	if ok.pkg != "" {
		r.objectFacts[ok] = fact
	} else {
		r.packageFacts[pk] = fact
	}
}

func (r *leanRun) importFact(ok objectFactKey, pk packageFactKey, ptr analysis.Fact) bool {
	r.factsMu.Lock()
	var fact analysis.Fact
	var found bool
	if ok.pkg != "" {
		fact, found = r.objectFacts[ok]
	} else {
		fact, found = r.packageFacts[pk]
	}
	r.factsMu.Unlock()
	return found && copyFact(fact, ptr)
}

// copyFact copies *fact into *ptr, as the analysis drivers do.
func copyFact(fact, ptr analysis.Fact) bool {
	dst, src := valueOf(ptr), valueOf(fact)
	if !dst.IsValid() || !src.IsValid() || dst.Type() != src.Type() {
		return false
	}
	dst.Set(src)
	return true
}

func valueOf(f analysis.Fact) reflect.Value {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return reflect.Value{}
	}
	return v.Elem()
}
