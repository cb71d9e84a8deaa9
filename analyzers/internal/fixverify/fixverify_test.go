package fixverify

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// The fake passes share one file set and one source importer, so that
// net/http is type-checked once for all the tests. Each fake pass is in a
// package of its own, and the verifier parses into a file set of its own.
var (
	sharedFset     = token.NewFileSet()
	sharedImporter = importer.ForCompiler(sharedFset, "source", nil)
)

// fakePass type-checks sources (file name to text) as package p, the way
// a driver would, and returns a pass over them whose ReadFile serves the
// same text. extra files are readable but not part of the package.
func fakePass(t *testing.T, sources map[string]string, extra ...string) *analysis.Pass {
	t.Helper()
	fset := sharedFset
	var files []*ast.File
	for _, name := range sortedKeys(sources) {
		f, err := parser.ParseFile(fset, name, sources[name], parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	for _, name := range extra {
		fset.AddFile(name, -1, 100).SetLinesForContent(make([]byte, 100))
	}
	conf := types.Config{Importer: sharedImporter, Error: func(error) {}}
	pkg, _ := conf.Check("example.com/p", fset, files, nil)
	return &analysis.Pass{
		Fset: fset, Files: files, Pkg: pkg, TypesSizes: types.SizesFor("gc", "amd64"),
		ReadFile: func(name string) ([]byte, error) {
			if s, ok := sources[name]; ok {
				return []byte(s), nil
			}
			return nil, os.ErrNotExist
		},
	}
}

func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// at returns the position of the first occurrence of marker in the file
// named name, plus shift bytes.
func at(t *testing.T, pass *analysis.Pass, name, marker string, shift int) token.Pos {
	t.Helper()
	for _, f := range pass.Files {
		tf := pass.Fset.File(f.FileStart)
		if tf.Name() != name {
			continue
		}
		src, _ := pass.ReadFile(name)
		i := strings.Index(string(src), marker)
		if i < 0 {
			t.Fatalf("%q not in %s", marker, name)
		}
		return tf.Pos(i + shift)
	}
	t.Fatalf("no file %s", name)
	return token.NoPos
}

func insert(pos token.Pos, text string) analysis.TextEdit {
	return analysis.TextEdit{Pos: pos, End: pos, NewText: []byte(text)}
}

func diag(edits ...analysis.TextEdit) analysis.Diagnostic {
	return analysis.Diagnostic{
		Message:        "a finding",
		SuggestedFixes: []analysis.SuggestedFix{{Message: "fix it", TextEdits: edits}},
	}
}

// kept fails unless d still offers its fix and says nothing of having none.
func kept(t *testing.T, d analysis.Diagnostic) {
	t.Helper()
	if len(d.SuggestedFixes) != 1 || len(d.Related) != 0 {
		t.Errorf("the fix was dropped: %q %v", d.Message, d.Related)
	}
}

// dropped fails unless d lost its fix and a related note at it gives why,
// its message unchanged.
func dropped(t *testing.T, d analysis.Diagnostic, why string) {
	t.Helper()
	if len(d.SuggestedFixes) != 0 {
		t.Errorf("the fix was kept: %q", d.Message)
	}
	note := ""
	if n := len(d.Related); n > 0 && d.Related[n-1].Pos == d.Pos {
		note = d.Related[n-1].Message
	}
	if d.Message != "a finding" || !strings.HasPrefix(note, NoFix) || !strings.Contains(note, why) {
		t.Errorf("message %q, related note %q: want the message unchanged and a note %s...%s...", d.Message, note, NoFix, why)
	}
}

const simple = `package p

import "net/http"

func get() {
	t := &http.Transport{}
	c := &http.Client{Transport: t}
	c.Get("http://x")
}
`

func TestFixThatCompilesIsKept(t *testing.T) {
	pass := fakePass(t, map[string]string{"/p/a.go": simple})
	d := Check(pass, diag(
		insert(at(t, pass, "/p/a.go", "func get", 0), "var shared = &http.Transport{}\n\n"),
		analysis.TextEdit{Pos: at(t, pass, "/p/a.go", "&http.Transport{}\n\tc", 0), End: at(t, pass, "/p/a.go", "&http.Transport{}\n\tc", len("&http.Transport{}")), NewText: []byte("shared")},
	))
	kept(t, d)
}

func TestFixWithUndefinedNameIsDropped(t *testing.T) {
	// The shape of the broken-memoisation fix of issue 18: a store into
	// a variable of another package, written as if it were this one's.
	pass := fakePass(t, map[string]string{"/p/a.go": simple})
	d := Check(pass, diag(insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0), "\n\tDefaultTransport = t")))
	dropped(t, d, "the fix would not compile: undefined: DefaultTransport")
}

func TestFixAddingSyncOnceCompiles(t *testing.T) {
	// The package imports nothing, so "sync" is not in the pass's graph
	// and comes from GOROOT source.
	src := "package p\n\nfunc get() int {\n\treturn 1\n}\n"
	pass := fakePass(t, map[string]string{"/p/a.go": src})
	if len(pass.Pkg.Imports()) != 0 {
		t.Fatal("the fixture must import nothing")
	}
	edits := []analysis.TextEdit{
		insert(at(t, pass, "/p/a.go", "\nfunc get", 0), "\nimport \"sync\"\n\nvar once sync.Once\n"),
		insert(at(t, pass, "/p/a.go", "\treturn 1", 0), "\tonce.Do(func() {})\n"),
	}
	kept(t, Check(pass, diag(edits...)))

	// The way the field fix uses it: a struct field, a method value.
	withField := []analysis.TextEdit{
		insert(at(t, pass, "/p/a.go", "\nfunc get", 0), "\nimport \"sync\"\n\ntype pool struct {\n\tonce sync.Once\n\tmu   sync.Mutex\n\tn    int\n}\n\nvar shared pool\n"),
		insert(at(t, pass, "/p/a.go", "\treturn 1", 0), "\tshared.mu.Lock()\n\tdefer shared.mu.Unlock()\n\tshared.once.Do(func() { shared.n = 1 })\n\tp := &shared\n\t_ = p\n"),
	}
	kept(t, Check(pass, diag(withField...)))

	// The same fix misspelt: the source-loaded package is really checked.
	edits[1] = insert(at(t, pass, "/p/a.go", "\treturn 1", 0), "\tonce.Run(func() {})\n")
	dropped(t, Check(pass, diag(edits...)), "once.Run undefined")
}

func TestAddedImportSharesTheGraphsTypes(t *testing.T) {
	// "context" comes from source, but its "time" must be the graph's
	// time, or time.Second would not be a time.Duration to it.
	src := "package p\n\nimport \"time\"\n\nfunc wait() {\n\ttime.Sleep(time.Second)\n}\n"
	pass := fakePass(t, map[string]string{"/p/a.go": src})
	if pass.Pkg.Imports()[0].Path() != "time" {
		t.Fatal("the fixture must import time")
	}
	d := Check(pass, diag(
		analysis.TextEdit{Pos: at(t, pass, "/p/a.go", `"time"`, 0), End: at(t, pass, "/p/a.go", `"time"`, len(`"time"`)), NewText: []byte("(\n\t\"context\"\n\t\"time\"\n)")},
		insert(at(t, pass, "/p/a.go", "\ttime.Sleep", 0), "\tctx, cancel := context.WithTimeout(context.Background(), time.Second)\n\tdefer cancel()\n\t<-ctx.Done()\n"),
	))
	kept(t, d)
}

func TestPreexistingErrorsDoNotBlock(t *testing.T) {
	broken := simple + "\nvar _ = notDefinedAnywhere\n"
	pass := fakePass(t, map[string]string{"/p/a.go": broken})
	kept(t, Check(pass, diag(insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0), "\n\tc.Timeout = 0"))))
	// A new error of its own still drops the fix.
	dropped(t, Check(pass, diag(insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0), "\n\tc.Timeout = \"1s\""))), "cannot use")
}

func TestUnusedNameIsAnError(t *testing.T) {
	pass := fakePass(t, map[string]string{"/p/a.go": simple})
	dropped(t, Check(pass, diag(insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0), "\n\tx := 1"))), "declared and not used: x")
}

func TestEditInAnotherPackageIsDropped(t *testing.T) {
	pass := fakePass(t, map[string]string{"/p/a.go": simple}, "/q/b.go")
	other := token.Pos(pass.Fset.File(pass.Files[0].FileStart).Base() + pass.Fset.File(pass.Files[0].FileStart).Size() + 2)
	if pass.Fset.File(other).Name() != "/q/b.go" {
		t.Fatalf("position %d is in %s", other, pass.Fset.File(other).Name())
	}
	dropped(t, Check(pass, diag(insert(other, "x"))), "it edits another package (b.go)")
}

func TestOverlappingEditsAreDropped(t *testing.T) {
	pass := fakePass(t, map[string]string{"/p/a.go": simple})
	from := at(t, pass, "/p/a.go", "c.Get", 0)
	d := Check(pass, diag(
		analysis.TextEdit{Pos: from, End: from + 5, NewText: []byte("c.Head")},
		analysis.TextEdit{Pos: from + 2, End: from + 4, NewText: []byte("Post")},
	))
	dropped(t, d, "the fix's edits overlap in a.go")
}

func TestFixThatDoesNotParseIsDropped(t *testing.T) {
	pass := fakePass(t, map[string]string{"/p/a.go": simple})
	dropped(t, Check(pass, diag(insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0), "\n\tif {"))), "the fixed file would not parse")
}

func TestFixAcrossTwoFiles(t *testing.T) {
	// A fix may edit every file of the package: a field added in one, used
	// in the other.
	pass := fakePass(t, map[string]string{
		"/p/a.go": "package p\n\ntype owner struct {\n\tname string\n}\n",
		"/p/b.go": "package p\n\nfunc (o *owner) get() string {\n\treturn o.name\n}\n",
	})
	addField := insert(at(t, pass, "/p/a.go", "\tname string", 0), "\tcount int\n")
	use := insert(at(t, pass, "/p/b.go", "\treturn", 0), "\to.count++\n")
	kept(t, Check(pass, diag(addField, use)))
	kept(t, Check(pass, diag(use, addField))) // edits in any order
	dropped(t, Check(pass, diag(use)), "o.count undefined")
}

func TestSomeFixesOfADiagnostic(t *testing.T) {
	pass := fakePass(t, map[string]string{"/p/a.go": simple})
	good := analysis.SuggestedFix{Message: "good", TextEdits: []analysis.TextEdit{insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0), "\n\tc.Timeout = 0")}}
	bad := analysis.SuggestedFix{Message: "bad", TextEdits: []analysis.TextEdit{insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0), "\n\tnope()")}}
	d := Check(pass, analysis.Diagnostic{Message: "a finding", SuggestedFixes: []analysis.SuggestedFix{bad, good}})
	if len(d.SuggestedFixes) != 1 || d.SuggestedFixes[0].Message != "good" || d.Message != "a finding" {
		t.Errorf("want only the good fix and the message unchanged, got %d fixes, %q", len(d.SuggestedFixes), d.Message)
	}
}

func TestTogetherSeesCollidingFixes(t *testing.T) {
	// Each fix alone compiles; together they declare shared twice. The
	// drivers would apply both (they do not overlap), so Together is what
	// the fixture tests run over every package's fixes.
	pass := fakePass(t, map[string]string{"/p/a.go": simple})
	one := diag(insert(at(t, pass, "/p/a.go", "func get", 0), "var shared = 1\n\n"))
	two := diag(insert(at(t, pass, "/p/a.go", "\n\tc.Get", 0)+1, "_ = shared\n"), insert(token.Pos(pass.Fset.File(pass.Files[0].FileStart).Base()+len(simple)), "\nvar shared = 2\n"))
	kept(t, Check(pass, one))
	kept(t, Check(pass, two))
	errs, err := Together(pass, []analysis.Diagnostic{one, two})
	if err != nil || len(errs) == 0 || !strings.Contains(errs[0], "shared redeclared") {
		t.Errorf("Together = %q, %v; want shared redeclared", errs, err)
	}
}

func TestDiagnosticWithoutFixIsUntouched(t *testing.T) {
	pass := &analysis.Pass{Fset: token.NewFileSet()} // nothing to read: must not be needed
	d := Check(pass, analysis.Diagnostic{Message: "a finding " + NoFix + "reasons)"})
	if d.Message != "a finding "+NoFix+"reasons)" {
		t.Errorf("message changed: %q", d.Message)
	}
}

func TestIncompleteGraphPackage(t *testing.T) {
	// Under go vet an indirect dependency comes from export data with only
	// what the direct ones' API mentions: here a "sync" holding Mutex and
	// not Once, which go/types would not even take from an importer. A fix
	// adding sync.Once compiles against sync from GOROOT source.
	partial := types.NewPackage("sync", "sync")
	mutex := types.NewTypeName(token.NoPos, partial, "Mutex", nil)
	types.NewNamed(mutex, types.NewStruct(nil, nil), nil)
	partial.Scope().Insert(mutex)
	if partial.Complete() {
		t.Fatal("the package must be incomplete")
	}

	src := "package p\n\nvar n int\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "/p/a.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg := types.NewPackage("example.com/p", "p")
	pkg.SetImports([]*types.Package{partial}) // how the graph reaches it
	pkg.MarkComplete()
	pass := &analysis.Pass{Fset: fset, Files: []*ast.File{f}, Pkg: pkg,
		ReadFile: func(string) ([]byte, error) { return []byte(src), nil }}
	afterPackage := token.Pos(fset.File(f.FileStart).Base() + len("package p\n"))

	kept(t, Check(pass, diag(insert(afterPackage, "\nimport \"sync\"\n\nvar once sync.Once\n"))))
	dropped(t, Check(pass, diag(insert(afterPackage, "\nimport \"sync\"\n\nvar once sync.Never\n"))), "undefined: sync.Never")
}
