package fixverify

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/types"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// BenchmarkOneFixInNetHTTP is the cost of verifying the one fix of a
// pass in a large package (net/http: 30 files, 29,000 lines): the package's files
// read and parsed again, and one type-check. Beside it, the type-check
// alone, which the driver has already paid once for the package.
func BenchmarkOneFixInNetHTTP(b *testing.B) {
	bp, err := build.Default.Import("net/http", "", 0)
	if err != nil {
		b.Fatal(err)
	}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(sharedFset, filepath.Join(bp.Dir, name), nil, parser.ParseComments)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: sharedImporter, Error: func(error) {}}
	pkg, _ := conf.Check("net/http", sharedFset, files, nil)
	pass := &analysis.Pass{Fset: sharedFset, Files: files, Pkg: pkg, TypesSizes: types.SizesFor("gc", "amd64"), ReadFile: os.ReadFile}
	fix := diag(insert(files[0].FileEnd, "\nvar _ = DefaultClient\n"))
	b.Logf("%d files", len(files))

	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if d := Check(pass, fix); len(d.SuggestedFixes) != 1 {
				b.Fatalf("the fix was dropped: %s", d.Message)
			}
		}
	})
	b.Run("typecheck", func(b *testing.B) {
		for b.Loop() {
			conf := types.Config{Importer: sharedImporter, Error: func(error) {}}
			conf.Check("net/http", sharedFset, files, nil)
		}
	})
}
