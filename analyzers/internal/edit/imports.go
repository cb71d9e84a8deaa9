package edit

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Imports collects the imports that inserted code needs, per file.
type Imports struct {
	pass *analysis.Pass
	need map[*ast.File]map[string]string // file -> path -> name
}

// NewImports starts an empty set of imports for the pass's files.
func NewImports(pass *analysis.Pass) *Imports { return &Imports{pass: pass} }

// Name returns how file refers to pkg, recording an import when it has
// none; ok is false when the name is taken by something else.
func (im *Imports) Name(file *ast.File, pkg *types.Package) (string, bool) {
	if pkg == im.pass.Pkg {
		return "", true
	}
	for _, spec := range file.Imports {
		if path, _ := strconv.Unquote(spec.Path.Value); path == pkg.Path() {
			if spec.Name == nil {
				return pkg.Name(), true
			}
			if n := spec.Name.Name; n != "_" && n != "." {
				return n, true
			}
		}
	}
	if Bound(im.pass, file, pkg.Name()) {
		return "", false
	}
	if im.need == nil {
		im.need = make(map[*ast.File]map[string]string)
	}
	if im.need[file] == nil {
		im.need[file] = make(map[string]string)
	}
	im.need[file][pkg.Path()] = pkg.Name()
	return pkg.Name(), true
}

// Qualifier renders types as file would name them; *ok turns false when a
// name it needs is taken.
func (im *Imports) Qualifier(file *ast.File, ok *bool) types.Qualifier {
	return func(p *types.Package) string {
		n, good := im.Name(file, p)
		if !good {
			*ok = false
		}
		return n
	}
}

// Bound reports whether name means something in file's scope already.
func Bound(pass *analysis.Pass, file *ast.File, name string) bool {
	if pass.Pkg.Scope().Lookup(name) != nil {
		return true
	}
	if s := pass.TypesInfo.Scopes[file]; s != nil && s.Lookup(name) != nil {
		return true
	}
	return false
}

// Edits returns one edit per file adding the recorded imports: into the
// standard-library group of a parenthesised import block, in order, when
// all are standard packages; as a declaration of their own otherwise.
func (im *Imports) Edits() []analysis.TextEdit {
	var out []analysis.TextEdit
	for file, paths := range im.need {
		var sorted []string
		for p := range paths {
			sorted = append(sorted, p)
		}
		sort.Strings(sorted)
		spec := func(p string) string {
			if paths[p] == p[strings.LastIndex(p, "/")+1:] {
				return strconv.Quote(p)
			}
			return paths[p] + " " + strconv.Quote(p)
		}
		if e, ok := im.intoBlock(file, sorted, spec); ok {
			out = append(out, e...)
			continue
		}
		pos := file.Name.End()
		for _, d := range file.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				pos = gd.End()
			}
		}
		var b strings.Builder
		if len(sorted) == 1 {
			b.WriteString("\n\nimport " + spec(sorted[0]))
		} else {
			b.WriteString("\n\nimport (\n")
			for _, p := range sorted {
				b.WriteString("\t" + spec(p) + "\n")
			}
			b.WriteString(")")
		}
		out = append(out, analysis.TextEdit{Pos: pos, End: pos, NewText: []byte(b.String())})
	}
	return out
}

func isStd(path string) bool { return !strings.Contains(strings.Split(path, "/")[0], ".") }

// intoBlock inserts standard-library imports into the first group of a
// parenthesised import declaration made of standard packages only, each
// before the first path that sorts after it, so that gofmt keeps it.
func (im *Imports) intoBlock(file *ast.File, paths []string, spec func(string) string) ([]analysis.TextEdit, bool) {
	for _, p := range paths {
		if !isStd(p) {
			return nil, false
		}
	}
	for _, d := range file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT || !gd.Lparen.IsValid() || len(gd.Specs) == 0 {
			continue
		}
		tf := im.pass.Fset.File(gd.Pos())
		// The first group: specs on consecutive lines.
		var group []*ast.ImportSpec
		for i, s := range gd.Specs {
			is := s.(*ast.ImportSpec)
			if i > 0 && tf.Line(is.Pos()) > tf.Line(gd.Specs[i-1].End())+1 {
				break
			}
			if is.Doc != nil || is.Comment != nil {
				return nil, false
			}
			group = append(group, is)
		}
		for _, is := range group {
			if path, _ := strconv.Unquote(is.Path.Value); !isStd(path) {
				return nil, false
			}
		}
		var out []analysis.TextEdit
		for _, p := range paths {
			at := tf.LineStart(tf.Line(group[len(group)-1].End()) + 1)
			for _, is := range group {
				if path, _ := strconv.Unquote(is.Path.Value); path > p {
					at = tf.LineStart(tf.Line(is.Pos()))
					break
				}
			}
			out = append(out, analysis.TextEdit{Pos: at, End: at, NewText: []byte("\t" + spec(p) + "\n")})
		}
		return MergeInserts(out), true
	}
	return nil, false
}
