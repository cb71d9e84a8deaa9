package clientchurn

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// The pieces the fixes share: rendering code to insert, and the imports
// it needs.

// formatStmts formats Go statements for insertion at the given
// indentation: every line, the first included, starts with indent, and
// the result ends with a newline.
func formatStmts(stmts, indent string) (string, error) {
	const head = "package p\n\nfunc _() {\n"
	out, err := format.Source([]byte(head + stmts + "\n}\n"))
	if err != nil {
		return "", err
	}
	body := strings.TrimSuffix(strings.TrimPrefix(string(out), head), "}\n")
	var b strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		if line == "" {
			continue
		}
		if strings.TrimSpace(line) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(indent + strings.TrimPrefix(line, "\t"))
	}
	return b.String(), nil
}

// hasMultilineRawString reports whether n holds a raw string literal
// spanning lines, whose text re-indenting would change.
func hasMultilineRawString(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if lit, ok := m.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, "`") && strings.Contains(lit.Value, "\n") {
			found = true
		}
		return !found
	})
	return found
}

// lineIndent returns the whitespace that starts pos's line, and whether
// only whitespace comes before pos on it.
func (r *reporter) lineIndent(pos token.Pos) (string, bool) {
	tf := r.pass.Fset.File(pos)
	src, err := r.pass.ReadFile(tf.Name())
	if err != nil {
		return "", false
	}
	start := tf.Offset(tf.LineStart(tf.Line(pos)))
	before := string(src[start:tf.Offset(pos)])
	trimmed := strings.TrimLeft(before, " \t")
	return before[:len(before)-len(trimmed)], trimmed == ""
}

// source returns the text of n.
func (r *reporter) source(n ast.Node) (string, bool) {
	tf := r.pass.Fset.File(n.Pos())
	src, err := r.pass.ReadFile(tf.Name())
	if err != nil {
		return "", false
	}
	return string(src[tf.Offset(n.Pos()):tf.Offset(n.End())]), true
}

// imports collects the imports that inserted code needs, per file.
type imports struct {
	r    *reporter
	need map[*ast.File]map[string]string // file -> path -> name
}

// name returns how file refers to pkg, recording an import when it has
// none; ok is false when the name is taken by something else.
func (im *imports) name(file *ast.File, pkg *types.Package) (string, bool) {
	if pkg == im.r.pass.Pkg {
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
	if im.r.bound(file, pkg.Name()) {
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

// qualifier renders types as file would name them.
func (im *imports) qualifier(file *ast.File, ok *bool) types.Qualifier {
	return func(p *types.Package) string {
		n, good := im.name(file, p)
		if !good {
			*ok = false
		}
		return n
	}
}

// bound reports whether name means something in file's scope already.
func (r *reporter) bound(file *ast.File, name string) bool {
	if r.pass.Pkg.Scope().Lookup(name) != nil {
		return true
	}
	if s := r.pass.TypesInfo.Scopes[file]; s != nil && s.Lookup(name) != nil {
		return true
	}
	return false
}

// edits returns one edit per file adding the recorded imports: into the
// standard-library group of a parenthesised import block, in order, when
// all are standard packages; as a declaration of their own otherwise.
func (im *imports) edits() []analysis.TextEdit {
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
func (im *imports) intoBlock(file *ast.File, paths []string, spec func(string) string) ([]analysis.TextEdit, bool) {
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
		tf := im.r.pass.Fset.File(gd.Pos())
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
		return mergeInserts(out), true
	}
	return nil, false
}

// mergeInserts joins insertions at the same position into one edit, in
// order, so that no driver sees two edits at one point.
func mergeInserts(edits []analysis.TextEdit) []analysis.TextEdit {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Pos < edits[j].Pos })
	var out []analysis.TextEdit
	for _, e := range edits {
		if n := len(out); n > 0 && out[n-1].Pos == e.Pos && out[n-1].End == e.Pos && e.End == e.Pos {
			out[n-1].NewText = append(append([]byte(nil), out[n-1].NewText...), e.NewText...)
			continue
		}
		out = append(out, e)
	}
	return out
}

// position renders pos as file:line, for messages.
func (r *reporter) position(pos token.Pos) string {
	p := r.pass.Fset.Position(pos)
	return fmt.Sprintf("%s:%d", p.Filename[strings.LastIndex(p.Filename, "/")+1:], p.Line)
}

func formatSource(src string) (string, error) {
	out, err := format.Source([]byte(src))
	return string(out), err
}
