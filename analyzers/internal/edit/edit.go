// Package edit is what churnlint's fixes share to write code: finding the
// file and syntax at a position, reading source text, formatting inserted
// code, adding the imports it needs, and merging edits.
package edit

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
)

// FileOf returns the file of the pass that holds pos, or nil.
func FileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

// PathTo returns the syntax enclosing n, innermost first (as
// astutil.PathEnclosingInterval), or nil when no file holds it.
func PathTo(pass *analysis.Pass, n ast.Node) []ast.Node {
	f := FileOf(pass, n.Pos())
	if f == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(f, n.Pos(), n.End())
	return path
}

// CreationAt finds the expression that SSA positioned at pos: a composite
// literal (by its brace, with its & if any) or a call (by its paren).
func CreationAt(pass *analysis.Pass, pos token.Pos) ast.Expr {
	f := FileOf(pass, pos)
	if f == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(f, pos, pos)
	for i, n := range path {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if n.Lbrace == pos {
				if i+1 < len(path) {
					if u, ok := path[i+1].(*ast.UnaryExpr); ok && u.Op == token.AND {
						return u
					}
				}
				return n
			}
		case *ast.CallExpr:
			if n.Lparen == pos {
				return n
			}
		}
	}
	return nil
}

// EnclosingFunc returns the function declaration of file around pos.
func EnclosingFunc(file *ast.File, pos token.Pos) *ast.FuncDecl {
	for _, d := range file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
			return fd
		}
	}
	return nil
}

// Source returns the text of n.
func Source(pass *analysis.Pass, n ast.Node) (string, bool) {
	tf := pass.Fset.File(n.Pos())
	src, err := pass.ReadFile(tf.Name())
	if err != nil {
		return "", false
	}
	return string(src[tf.Offset(n.Pos()):tf.Offset(n.End())]), true
}

// LineIndent returns the whitespace that starts pos's line, and whether
// only whitespace comes before pos on it.
func LineIndent(pass *analysis.Pass, pos token.Pos) (string, bool) {
	tf := pass.Fset.File(pos)
	src, err := pass.ReadFile(tf.Name())
	if err != nil {
		return "", false
	}
	start := tf.Offset(tf.LineStart(tf.Line(pos)))
	before := string(src[start:tf.Offset(pos)])
	trimmed := strings.TrimLeft(before, " \t")
	return before[:len(before)-len(trimmed)], trimmed == ""
}

// Position renders pos as file:line, for messages.
func Position(fset *token.FileSet, pos token.Pos) string {
	p := fset.Position(pos)
	return fmt.Sprintf("%s:%d", p.Filename[strings.LastIndex(p.Filename, "/")+1:], p.Line)
}

// Stmts formats Go statements for insertion at the given indentation:
// every line, the first included, starts with indent, and the result ends
// with a newline.
func Stmts(stmts, indent string) (string, error) {
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

// Decls formats top-level declarations; the result has no leading or
// trailing newline.
func Decls(text string) (string, error) {
	const head = "package p\n\n"
	out, err := format.Source([]byte(head + text + "\n"))
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(strings.TrimPrefix(string(out), head), "\n"), nil
}

// HasMultilineRawString reports whether n holds a raw string literal
// spanning lines, whose text re-indenting would change.
func HasMultilineRawString(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if lit, ok := m.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, "`") && strings.Contains(lit.Value, "\n") {
			found = true
		}
		return !found
	})
	return found
}

// MergeInserts joins insertions at the same position into one edit, in
// order, so that no driver sees two edits at one point.
func MergeInserts(edits []analysis.TextEdit) []analysis.TextEdit {
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

// Overlap reports whether any two of the sorted edits overlap.
func Overlap(edits []analysis.TextEdit) bool {
	for i := 1; i < len(edits); i++ {
		if edits[i].Pos < edits[i-1].End {
			return true
		}
	}
	return false
}

// NoFix says why a finding has no suggested fix: a value the fixes return
// and one helper (Explain) renders, so that no check reads a reason back
// out of a message.
type NoFix string

// Note adds the reason to a diagnostic as related information at its
// position, as every finding without a fix says it; the message stays one
// sentence.
func (why NoFix) Note(d *analysis.Diagnostic) {
	d.Related = append(d.Related, analysis.RelatedInformation{Pos: d.Pos, End: d.End, Message: "no automatic fix: " + string(why)})
}
