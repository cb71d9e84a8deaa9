// Package fixverify drops suggested fixes that would not compile.
//
// A fix is text: the analyzers build it from the AST and the types they
// see, and nothing proves the edited package still type-checks (a fix that
// writes to another package's variable, an import that collides, a name
// that is already taken). A driver applies whatever is offered, so one
// such fix breaks the user's build. Run applies each diagnostic's edits in
// memory, type-checks the edited package, and keeps a fix only when it adds
// no type error; a diagnostic whose fixes are all dropped says why in the
// project's form, a related note "no automatic fix: <reason>".
//
// It uses only what an analysis.Pass gives (ReadFile, Files, Fset, Pkg,
// TypesSizes), so it behaves the same under the churnlint command, go vet
// -vettool, go fix -fixtool and golangci-lint. Imports resolve to the
// packages the pass already loaded (pass.Pkg.Imports(), transitively);
// a standard-library package that a fix adds and that the graph does not
// hold is type-checked from GOROOT source, once per pass.
package fixverify

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
)

// NoFix is the phrase a diagnostic without a fix carries, followed by the
// reason (as in analyzers/internal/fixcheck).
const NoFix = "no automatic fix: "

// disabled turns verification off, for the benchmark that measures its cost.
var disabled bool

// Run wraps an analyzer's run function: every diagnostic it reports with
// suggested fixes has them verified first (see Check).
func Run(run func(*analysis.Pass) (any, error)) func(*analysis.Pass) (any, error) {
	return func(pass *analysis.Pass) (any, error) {
		if disabled {
			return run(pass)
		}
		inner := *pass
		v := newVerifier(pass)
		inner.Report = func(d analysis.Diagnostic) {
			pass.Report(v.check(d))
		}
		return run(&inner)
	}
}

// Check returns d with only the suggested fixes that compile; when it
// drops them all, the message ends with the reason for the first one.
func Check(pass *analysis.Pass, d analysis.Diagnostic) analysis.Diagnostic {
	return newVerifier(pass).check(d)
}

// Together applies every fix of diags at once, as churnlint -fix and go fix
// do with fixes that do not overlap, and returns the type errors the
// combination adds (nil when it compiles). Each fix may compile alone and
// the set not: two fixes adding the same import or the same name. The
// drivers apply them together anyway, so the tests check it over the
// fixtures (see fixverify_test.go).
func Together(pass *analysis.Pass, diags []analysis.Diagnostic) ([]string, error) {
	v := newVerifier(pass)
	var edits []analysis.TextEdit
	for _, d := range diags {
		for _, f := range d.SuggestedFixes {
			edits = append(edits, f.TextEdits...)
		}
	}
	if len(edits) == 0 {
		return nil, nil
	}
	byFile, err := v.group(edits)
	if err != nil {
		return nil, err
	}
	return v.newErrors(byFile)
}

// verifier holds, for one pass, what every fix's check shares: the sources,
// the original files parsed again, the baseline errors, the importer.
type verifier struct {
	pass  *analysis.Pass
	files map[*token.File]int // the package's files, by index in pass.Files
	mu    sync.Mutex          // a run function may report from several goroutines

	once     sync.Once
	loadErr  error
	fset     *token.FileSet // private: parsed copies, not the driver's
	src      [][]byte
	parsed   []*ast.File
	imp      *graphImporter
	baseline map[string]int // error messages of the unedited package; nil until needed
}

func newVerifier(pass *analysis.Pass) *verifier {
	v := &verifier{pass: pass, files: make(map[*token.File]int, len(pass.Files))}
	for i, f := range pass.Files {
		v.files[pass.Fset.File(f.FileStart)] = i
	}
	return v
}

func (v *verifier) check(d analysis.Diagnostic) analysis.Diagnostic {
	if len(d.SuggestedFixes) == 0 {
		return d
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var kept []analysis.SuggestedFix
	var why string
	for _, fix := range d.SuggestedFixes {
		reason, err := v.verify(fix)
		if err != nil {
			// The package cannot be read or checked here (sources the
			// pass does not give, cgo): keep the fix unverified rather
			// than withhold every fix in the package.
			kept = append(kept, fix)
			continue
		}
		if reason == "" {
			kept = append(kept, fix)
		} else if why == "" {
			why = reason
		}
	}
	d.SuggestedFixes = kept
	if len(kept) == 0 {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: d.Pos, End: d.End, Message: NoFix + why})
	}
	return d
}

// verify returns why fix is dropped, or "" to keep it; an error means it
// could not be checked.
func (v *verifier) verify(fix analysis.SuggestedFix) (string, error) {
	if len(fix.TextEdits) == 0 {
		return "", nil // nothing to break
	}
	byFile, err := v.group(fix.TextEdits)
	if err != nil {
		var bad badEdit
		if errors.As(err, &bad) {
			return string(bad), nil
		}
		return "", err
	}
	added, err := v.newErrors(byFile)
	if err != nil {
		var bad badEdit
		if errors.As(err, &bad) {
			return string(bad), nil
		}
		return "", err
	}
	if len(added) == 0 {
		return "", nil
	}
	why := "the fix would not compile: " + added[0]
	if len(added) > 1 {
		why += fmt.Sprintf(", and %d more errors", len(added)-1)
	}
	return why, nil
}

// badEdit is the reason a fix's edits cannot be applied at all.
type badEdit string

func (b badEdit) Error() string { return string(b) }

// group sorts edits by file (an index in pass.Files) and position, and
// rejects edits outside the package and edits that overlap.
func (v *verifier) group(edits []analysis.TextEdit) (map[int][]analysis.TextEdit, error) {
	byFile := make(map[int][]analysis.TextEdit)
	for _, e := range edits {
		tf := v.pass.Fset.File(e.Pos)
		if tf == nil {
			return nil, badEdit("the fix has an edit at no position")
		}
		i, ok := v.files[tf]
		if !ok {
			if slices.Contains(v.pass.OtherFiles, tf.Name()) || slices.Contains(v.pass.IgnoredFiles, tf.Name()) {
				return nil, badEdit("it edits " + filepath.Base(tf.Name()) + ", which is not a Go file the package compiles")
			}
			return nil, badEdit("it edits another package (" + filepath.Base(tf.Name()) + ")")
		}
		end := e.End
		if !end.IsValid() {
			end = e.Pos
		}
		if end < e.Pos || v.pass.Fset.File(end) != tf {
			return nil, badEdit("the fix has an edit whose end is not in its file")
		}
		e.End = end
		byFile[i] = append(byFile[i], e)
	}
	for i, es := range byFile {
		slices.SortStableFunc(es, func(a, b analysis.TextEdit) int { return int(a.Pos - b.Pos) })
		for j := 1; j < len(es); j++ {
			if es[j].Pos < es[j-1].End {
				return nil, badEdit("the fix's edits overlap in " + filepath.Base(v.pass.Fset.File(es[j].Pos).Name()))
			}
		}
		byFile[i] = es
	}
	return byFile, nil
}

// load reads and parses the package's files once per pass.
func (v *verifier) load() error {
	v.once.Do(func() {
		v.fset = token.NewFileSet()
		v.src = make([][]byte, len(v.pass.Files))
		v.parsed = make([]*ast.File, len(v.pass.Files))
		read := v.pass.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		for i, f := range v.pass.Files {
			name := v.pass.Fset.File(f.FileStart).Name()
			data, err := read(name)
			if err != nil {
				v.loadErr = err
				return
			}
			if tf := v.pass.Fset.File(f.FileStart); tf.Size() != len(data) {
				v.loadErr = fmt.Errorf("%s changed since it was parsed", name)
				return
			}
			v.src[i] = data
			pf, err := parser.ParseFile(v.fset, name, data, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				v.loadErr = err
				return
			}
			for _, im := range pf.Imports {
				if im.Path.Value == `"C"` {
					v.loadErr = errors.New("the package uses cgo")
					return
				}
			}
			v.parsed[i] = pf
		}
		v.imp = newImporter(v.pass.Pkg, v.fset)
	})
	return v.loadErr
}

// newErrors type-checks the package with edits applied and returns the
// messages of the errors the unedited package does not have.
func (v *verifier) newErrors(byFile map[int][]analysis.TextEdit) ([]string, error) {
	if err := v.load(); err != nil {
		return nil, err
	}
	files := slices.Clone(v.parsed)
	for i, es := range byFile {
		tf := v.pass.Fset.File(v.pass.Files[i].FileStart)
		edited := apply(v.src[i], tf, es)
		pf, err := parser.ParseFile(v.fset, tf.Name(), edited, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, badEdit("the fixed file would not parse: " + firstLine(err))
		}
		files[i] = pf
	}
	got := v.typeErrors(files)
	if len(got) == 0 {
		return nil, nil
	}
	if v.baseline == nil {
		v.baseline = make(map[string]int)
		for _, msg := range v.typeErrors(v.parsed) {
			v.baseline[msg]++
		}
	}
	seen := make(map[string]int)
	var added []string
	for _, msg := range got {
		seen[msg]++
		if seen[msg] > v.baseline[msg] {
			added = append(added, msg)
		}
	}
	return added, nil
}

// typeErrors type-checks files as the pass's package and returns the
// errors' messages (without positions, which the edits move).
func (v *verifier) typeErrors(files []*ast.File) []string {
	var msgs []string
	conf := types.Config{
		Importer:  v.imp,
		Sizes:     v.pass.TypesSizes,
		GoVersion: v.pass.Pkg.GoVersion(),
		Error: func(err error) {
			if te, ok := err.(types.Error); ok {
				msgs = append(msgs, te.Msg)
			} else {
				msgs = append(msgs, err.Error())
			}
		},
	}
	// Every error reaches conf.Error; the first one returned adds nothing.
	_, _ = conf.Check(v.pass.Pkg.Path(), v.fset, files, nil)
	return msgs
}

// apply returns src with es (sorted, not overlapping, all in tf) applied.
func apply(src []byte, tf *token.File, es []analysis.TextEdit) []byte {
	var out bytes.Buffer
	last := 0
	for _, e := range es {
		from, to := tf.Offset(e.Pos), tf.Offset(e.End)
		out.Write(src[last:from])
		out.Write(e.NewText)
		last = to
	}
	out.Write(src[last:])
	return out.Bytes()
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// graphImporter resolves an import path to the package the pass already
// loaded, and else, for the standard library only, to a package
// type-checked from GOROOT source (whose own imports resolve the same way,
// so types stay identical to the graph's). go/types accepts only complete
// packages from an importer, and under go vet an indirect dependency is
// incomplete (export data holds only what the direct imports' API
// mentions): such a package is taken from source too.
type graphImporter struct {
	graph  map[string]*types.Package
	fset   *token.FileSet
	source map[string]*types.Package // type-checked here, by path
	busy   map[string]bool           // being type-checked: an import cycle
}

func newImporter(pkg *types.Package, fset *token.FileSet) *graphImporter {
	im := &graphImporter{graph: make(map[string]*types.Package), fset: fset, source: make(map[string]*types.Package), busy: make(map[string]bool)}
	var walk func(*types.Package)
	walk = func(p *types.Package) {
		for _, dep := range p.Imports() {
			if _, ok := im.graph[dep.Path()]; !ok {
				im.graph[dep.Path()] = dep
				walk(dep)
			}
		}
	}
	walk(pkg)
	return im
}

func (im *graphImporter) Import(path string) (*types.Package, error) {
	return im.ImportFrom(path, "", 0)
}

func (im *graphImporter) ImportFrom(path, dir string, _ types.ImportMode) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if p := im.fromGraph(path); p != nil {
		return p, nil
	}
	if p, ok := im.source[path]; ok {
		return p, nil
	}
	if im.busy[path] {
		return nil, fmt.Errorf("import cycle through %s", path)
	}
	// Only the standard library: a module the package does not already
	// depend on is not something a fix may add.
	if !strings.HasPrefix(dir, filepath.Join(build.Default.GOROOT, "src")+string(filepath.Separator)) {
		dir = "" // outside GOROOT: no vendor directory of the module's may answer
	}
	bp, err := build.Default.Import(path, dir, 0)
	if err != nil {
		return nil, err
	}
	if !bp.Goroot {
		return nil, fmt.Errorf("%s is not in the standard library nor imported by the package", path)
	}
	if p := im.fromGraph(bp.ImportPath); p != nil {
		return p, nil // a vendored path inside GOROOT
	}
	if p, ok := im.source[bp.ImportPath]; ok {
		return p, nil
	}
	im.busy[path] = true
	defer delete(im.busy, path)
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(im.fset, filepath.Join(bp.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	conf := types.Config{
		Importer:                 depImporter{im},
		IgnoreFuncBodies:         true, // only the API matters
		FakeImportC:              true,
		Error:                    func(error) {}, // GOROOT is not ours to check
		DisableUnusedImportCheck: true,
	}
	p, _ := conf.Check(bp.ImportPath, im.fset, files, nil)
	im.source[path] = p
	im.source[bp.ImportPath] = p
	return p, nil
}

func (im *graphImporter) fromGraph(path string) *types.Package {
	if p, ok := im.graph[path]; ok && p.Complete() {
		return p
	}
	return nil
}

// depImporter resolves the imports of a package type-checked from source.
// Its runtime and internal dependencies are left out (go/types marks them
// fake and carries on): only unexported parts of a standard package's API
// mention them, and loading them would mean parsing the runtime, over half
// a second, for a fix that adds "sync".
type depImporter struct{ im *graphImporter }

func (d depImporter) Import(path string) (*types.Package, error) {
	return d.ImportFrom(path, "", 0)
}

func (d depImporter) ImportFrom(path, dir string, mode types.ImportMode) (*types.Package, error) {
	if p := d.im.fromGraph(path); p != nil || path == "unsafe" {
		return d.im.ImportFrom(path, dir, mode)
	}
	if path == "runtime" || strings.HasPrefix(path, "internal/") || strings.Contains(path, "/internal/") {
		return nil, fmt.Errorf("%s is left out", path)
	}
	return d.im.ImportFrom(path, dir, mode)
}
