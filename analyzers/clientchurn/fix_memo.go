package clientchurn

import (
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// The memo fix: a nil-checked field or variable that the new pool is
// never stored back into gets the store.

// memoFix stores the new pool back into the field (or package variable)
// that the nil check read, right after the local is assigned.
func (r *reporter) memoFix(s *lifetime.Site) *analysis.SuggestedFix {
	expr, file := r.exprAt(s.Instr.Pos())
	if expr == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(file, expr.Pos(), expr.End())
	var assign *ast.AssignStmt
	for _, n := range path {
		if a, ok := n.(*ast.AssignStmt); ok {
			assign = a
			break
		}
		if _, ok := n.(ast.Stmt); ok {
			break
		}
	}
	if assign == nil || len(assign.Lhs) != 1 || assign.Tok != token.ASSIGN {
		return nil
	}
	id := identOf(assign.Lhs[0])
	if id == nil {
		return nil
	}
	tf := r.pass.Fset.File(assign.Pos())
	src, err := r.pass.ReadFile(tf.Name())
	if err != nil {
		return nil
	}
	lineStart := tf.LineStart(tf.Line(assign.Pos()))
	indent := string(src[tf.Offset(lineStart):tf.Offset(assign.Pos())])
	if strings.TrimSpace(indent) != "" {
		return nil
	}
	line := tf.Line(assign.End())
	if line >= tf.LineCount() {
		return nil
	}
	eol := tf.LineStart(line+1) - 1 // after any comment on the line
	return &analysis.SuggestedFix{
		Message: "store the new pool in " + s.Fate.MemoName,
		TextEdits: []analysis.TextEdit{{Pos: eol, End: eol,
			NewText: []byte("\n" + indent + s.Fate.MemoName + " = " + id.Name)}},
	}
}
