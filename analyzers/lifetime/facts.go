package lifetime

import (
	"fmt"
	"go/token"
	"os"
	"strings"
	"sync"

	"github.com/churnlint/churnlint/analyzers/catalog"
)

// FuncFact summarises, for callers in other packages, what a function does
// with pools. It is exported only when it says something: a function without
// a fact keeps whatever pools it is given and returns none.
type FuncFact struct {
	Fresh  []Fresh     // results that are a new pool on every call
	Churn  *Churn      // every call creates a pool and drops it
	Params []ParamFlow // parameters that the function does not keep
}

func (*FuncFact) AFact() {}

func (f *FuncFact) String() string {
	var parts []string
	for _, r := range f.Fresh {
		parts = append(parts, fmt.Sprintf("fresh(%d: %s)", r.Result, r.Chain))
	}
	if f.Churn != nil {
		parts = append(parts, "churns("+f.Churn.Chain.String()+")")
	}
	for _, p := range f.Params {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, " ")
}

// Fresh says that a result of the function is, or owns, a pool created by
// that call.
type Fresh struct {
	Result int
	Kind   catalog.Kind
	Chain  Chain     // how it is made, from the function down: [newClient, &http.Transport{}]
	Owned  bool      // the result holds the pool in a field rather than being it
	At     SourcePos // where the pool is created
	Given  *Given    // made only when the caller passes this parameter
}

// Churn says that each call of the function creates a pool that does not
// outlive the call.
type Churn struct {
	Kind     catalog.Kind
	Chain    Chain
	Released bool // the pool is closed before the call returns
	At       SourcePos
	Reported bool // already reported where it is created
	// Optional: on other paths the code uses a package-level client
	// instead (http.DefaultClient unless a proxy is configured): whether
	// a call makes the pool depends on configuration its caller may
	// never set.
	Optional bool
}

// SourcePos is where a pool is created, carried in facts to importers,
// whose file set may not hold the file: the full file name, so that a
// driver that loaded it can point there (SourcePos.In), line and column.
type SourcePos struct {
	File         string
	Line, Column int
}

// IsValid reports whether the position is known.
func (p SourcePos) IsValid() bool { return p.File != "" }

// String renders the position short, for messages: dir/file.go:line.
func (p SourcePos) String() string {
	if !p.IsValid() {
		return ""
	}
	return shortFile(p.File) + ":" + itoa(p.Line)
}

// In returns the position in fset. The standalone driver and
// golangci-lint load every package of the module, so the file is there; go
// vet's file set has only the package analysed, so the file is read from
// disk and added, once per process (a missing file gives NoPos).
func (p SourcePos) In(fset *token.FileSet) token.Pos {
	if !p.IsValid() {
		return token.NoPos
	}
	// An imported package's export data makes a file of the same name with
	// only the lines of its declarations, and a made-up size (64K under
	// go vet): only a file of the size on disk is the parsed one.
	st, err := os.Stat(p.File)
	if err != nil {
		return token.NoPos
	}
	var file *token.File
	fset.Iterate(func(f *token.File) bool {
		if f.Name() == p.File && int64(f.Size()) == st.Size() && f.LineCount() >= p.Line {
			file = f
			return false
		}
		return true
	})
	if file == nil {
		file = addedFile(fset, p.File)
	}
	if file == nil || p.Line < 1 || p.Line > file.LineCount() {
		return token.NoPos
	}
	pos := file.LineStart(p.Line)
	if p.Column > 1 && file.Offset(pos)+p.Column-1 <= file.Size() {
		pos += token.Pos(p.Column - 1)
	}
	return pos
}

// added holds the files SourcePos.In read from disk, per file set.
var added sync.Map // addedKey -> *token.File

type addedKey struct {
	fset *token.FileSet
	name string
}

func addedFile(fset *token.FileSet, name string) *token.File {
	key := addedKey{fset, name}
	if f, ok := added.Load(key); ok {
		return f.(*token.File)
	}
	content, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	f := fset.AddFile(name, -1, len(content))
	f.SetLinesForContent(content)
	actual, _ := added.LoadOrStore(key, f)
	return actual.(*token.File)
}

// Use is what a function does with a parameter.
type Use int

const (
	Keeps    Use = iota // stores it where it outlives the call (the default)
	Uses                // only uses it
	Wraps               // returns it, or a value that holds it
	Releases            // closes it
	// KeepsSometimes: it is stored on some paths, and on another that
	// returns normally it is neither stored, returned nor closed (an
	// observer manager keeping the first client it is given and dropping
	// every later one): a caller's new pool is dropped on that path.
	KeepsSometimes
)

// ParamFlow records the use of one parameter (the receiver is index 0).
type ParamFlow struct {
	Index  int
	Use    Use
	Result int // for Wraps: the result that holds it
}

func (p ParamFlow) String() string {
	switch p.Use {
	case Uses:
		return fmt.Sprintf("p%d:uses", p.Index)
	case Wraps:
		return fmt.Sprintf("p%d:wraps->%d", p.Index, p.Result)
	case Releases:
		return fmt.Sprintf("p%d:releases", p.Index)
	case KeepsSometimes:
		return fmt.Sprintf("p%d:keeps-sometimes", p.Index)
	}
	return fmt.Sprintf("p%d:keeps", p.Index)
}

// PackageFact marks a package that exported at least one FuncFact, so that
// its importers are worth analysing even if they never name net/http.
type PackageFact struct{}

func (*PackageFact) AFact()         {}
func (*PackageFact) String() string { return "haspools" }
