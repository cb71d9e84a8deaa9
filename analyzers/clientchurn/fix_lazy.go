package clientchurn

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
)

// lazily is the lazy form of the field fix: it builds the pool on the
// method's first call, through a sync.Once field whose call is inserted
// before the statement that holds the pool.
func (fb *fieldBuild) lazily() ([]analysis.TextEdit, string) {
	typeName := fb.named.Obj().Name()
	if ms := types.NewMethodSet(fb.named); ms.Len() > 0 {
		return nil, fmt.Sprintf("%s has value-receiver methods (%s), which copy it, and a sync.Once to build the pool once must not be copied", typeName, ms.At(0).Obj().Name())
	}
	if _, at := fb.byValue(); at.IsValid() {
		return nil, fmt.Sprintf("%s is held or passed by value (%s), and a sync.Once to build the pool once must not be copied", typeName, edit.Position(fb.r.pass.Fset, at))
	}
	if _, byValue := fb.r.testMentions(fb.named); byValue {
		return nil, fmt.Sprintf("a test of the package names %s other than through a pointer, and a sync.Once to build the pool once must not be copied", typeName)
	}
	once, why := fb.onceBefore(fb.expr, fb.recv)
	if why != "" {
		return nil, why
	}
	return []analysis.TextEdit{once}, ""
}

// onceBefore inserts, before the statement that holds expr (a method's
// pool, configured from its receiver recv), the sync.Once call that
// builds the pool into the field.
func (fb *fieldBuild) onceBefore(expr ast.Expr, recv *types.Var) (analysis.TextEdit, string) {
	r := fb.r
	path := edit.PathTo(r.pass, expr)
	var stmt ast.Stmt
	for i, n := range path {
		s, ok := n.(ast.Stmt)
		if !ok || i+1 >= len(path) {
			continue
		}
		switch path[i+1].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			stmt = s
		}
		if stmt != nil {
			break
		}
	}
	if stmt == nil {
		return analysis.TextEdit{}, "no statement to build it before could be found"
	}
	indent, alone := edit.LineIndent(r.pass, stmt.Pos())
	if !alone {
		return analysis.TextEdit{}, "the statement that builds it does not start its line"
	}
	fileScope := r.pass.TypesInfo.Scopes[edit.FileOf(r.pass, stmt.Pos())]
	if fileScope == nil {
		return analysis.TextEdit{}, "no statement to build it before could be found"
	}
	scope := fileScope.Innermost(stmt.Pos())
	if scope == nil {
		return analysis.TextEdit{}, "no statement to build it before could be found"
	}
	if _, obj := scope.LookupParent(recv.Name(), stmt.Pos()); obj != recv {
		return analysis.TextEdit{}, "the receiver " + recv.Name() + " is shadowed where the pool is built"
	}
	text, ok := edit.Source(r.pass, expr)
	if !ok {
		return analysis.TextEdit{}, "its source could not be read"
	}
	name := recv.Name()
	once := fmt.Sprintf("%s.%sOnce.Do(func() {\n%s.%s = %s\n})", name, fb.field, name, fb.field, text)
	out, err := edit.Stmts(once, indent)
	if err != nil {
		return analysis.TextEdit{}, "the statement that builds it would not be valid Go"
	}
	tf := r.pass.Fset.File(stmt.Pos())
	at := tf.LineStart(tf.Line(stmt.Pos()))
	return analysis.TextEdit{Pos: at, End: at, NewText: []byte(out)}, ""
}
