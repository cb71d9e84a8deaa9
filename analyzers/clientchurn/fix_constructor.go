package clientchurn

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
)

// inConstructor is the constructor form of the field fix: it builds the
// pool in the type's one constructor, right after the last write to a
// field it reads, and names the constructor. It returns no edits when
// that form does not apply.
func (fb *fieldBuild) inConstructor() ([]analysis.TextEdit, string) {
	r := fb.r
	info := r.pass.TypesInfo
	if fb.named.Obj().Exported() {
		return nil, "" // other packages can make a zero value
	}
	if mentioned, _ := r.testMentions(fb.named); mentioned {
		return nil, "" // a test may make one without the constructor
	}
	lits, byValue := fb.byValue()
	if byValue.IsValid() || len(lits) != 1 {
		return nil, ""
	}
	lit := lits[0]
	file := edit.FileOf(r.pass, lit.Pos())
	path, _ := astutil.PathEnclosingInterval(file, lit.Pos(), lit.End())
	var ctor *ast.FuncDecl
	for _, n := range path {
		if _, ok := n.(*ast.FuncLit); ok {
			return nil, ""
		}
		if fd, ok := n.(*ast.FuncDecl); ok {
			ctor = fd
			break
		}
	}
	if ctor == nil || ctor == fb.decl || ctor.Name.IsExported() {
		return nil, ""
	}
	if _, ok := info.Defs[ctor.Name].(*types.Func); !ok {
		return nil, ""
	}
	var amp *ast.UnaryExpr
	for i, n := range path {
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.AND && i+1 < len(path) {
			amp = u
			switch p := path[i+1].(type) {
			case *ast.AssignStmt:
				if p.Tok == token.DEFINE && len(p.Lhs) == 1 && len(p.Rhs) == 1 {
					return fb.afterBuild(file, ctor, p)
				}
			case *ast.ReturnStmt:
				if len(p.Results) > 0 && p.Results[0] == amp {
					return fb.atReturn(file, ctor, p)
				}
			}
			break
		}
	}
	return nil, ""
}

// afterBuild: x := &T{...} at the top level of the constructor. The pool
// is built right after the last top-level statement that writes a field
// it reads, if x is used for nothing but its fields until then and is
// returned only as itself.
func (fb *fieldBuild) afterBuild(file *ast.File, ctor *ast.FuncDecl, build *ast.AssignStmt) ([]analysis.TextEdit, string) {
	r := fb.r
	info := r.pass.TypesInfo
	x, _ := info.Defs[identOf(build.Lhs[0])].(*types.Var)
	if x == nil {
		return nil, ""
	}
	k := -1
	for i, st := range ctor.Body.List {
		if st == build {
			k = i
		}
	}
	if k < 0 {
		return nil, ""
	}
	last := k
	for j := k + 1; j < len(ctor.Body.List); j++ {
		ast.Inspect(ctor.Body.List[j], func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if s := info.Selections[sel]; s != nil && s.Kind() == types.FieldVal {
					for _, f := range fb.d.recvFields {
						if s.Obj() == f {
							last = j
						}
					}
				}
			}
			return true
		})
	}
	after := ctor.Body.List[last]
	if !r.onlyFieldsUsed(ctor.Body, x, after.End()) {
		return nil, ""
	}
	bad := false
	ast.Inspect(ctor.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			for _, res := range n.Results {
				if id := identOf(res); id != nil && info.Uses[id] == x {
					continue
				}
				ast.Inspect(res, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok && info.Uses[id] == x {
						bad = true
					}
					return true
				})
			}
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				if id := identOf(l); id != nil && info.Uses[id] == x {
					bad = true
				}
			}
		}
		return true
	})
	if bad {
		return nil, ""
	}
	tf := r.pass.Fset.File(after.End())
	at := tf.LineStart(tf.Line(after.End()) + 1)
	indent, _ := edit.LineIndent(r.pass, after.Pos())
	if !fb.resolves(file, at, x.Name()) {
		return nil, ""
	}
	stmt, err := edit.Stmts(x.Name()+"."+fb.field+" = "+fb.withBase(x.Name()), indent)
	if err != nil {
		return nil, ""
	}
	return []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(stmt)}}, ctor.Name.Name
}

// atReturn: return &T{...}[, ...] in the constructor. The return becomes
// x := &T{...}; x.field = pool; return x[, ...].
func (fb *fieldBuild) atReturn(file *ast.File, ctor *ast.FuncDecl, ret *ast.ReturnStmt) ([]analysis.TextEdit, string) {
	r := fb.r
	indent, alone := edit.LineIndent(r.pass, ret.Pos())
	if !alone {
		return nil, ""
	}
	x := fb.recv.Name()
	scope := r.pass.TypesInfo.Scopes[file].Innermost(ret.Pos())
	if scope == nil {
		return nil, ""
	}
	if _, obj := scope.LookupParent(x, ret.Pos()); obj != nil && obj.Parent() != types.Universe {
		return nil, ""
	}
	if !fb.resolves(file, ret.Pos(), x) {
		return nil, ""
	}
	var results []string
	for _, res := range ret.Results {
		text, ok := edit.Source(r.pass, res)
		if !ok {
			return nil, ""
		}
		results = append(results, text)
	}
	stmts := x + " := " + results[0] + "\n" + x + "." + fb.field + " = " + fb.withBase(x) + "\nreturn " + strings.Join(append([]string{x}, results[1:]...), ", ")
	out, err := edit.Stmts(stmts, indent)
	if err != nil || edit.HasMultilineRawString(ret) {
		return nil, ""
	}
	out = strings.TrimSuffix(strings.TrimPrefix(out, indent), "\n")
	return []analysis.TextEdit{{Pos: ret.Pos(), End: ret.End(), NewText: []byte(out)}}, ctor.Name.Name
}

// resolves reports whether every name the pool's text uses, other than
// the receiver (renamed base), means the same at pos in file; package
// names that file does not import are imported.
func (fb *fieldBuild) resolves(file *ast.File, pos token.Pos, base string) bool {
	r := fb.r
	info := r.pass.TypesInfo
	scope := info.Scopes[file].Innermost(pos)
	if scope == nil {
		return false
	}
	isRecv := make(map[*ast.Ident]bool)
	for _, id := range fb.d.recvIdents {
		isRecv[id] = true
	}
	ok := true
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit) // n.Sel is a field, method or package member
			return false
		case *ast.KeyValueExpr:
			if v, isVar := info.Uses[identOf(n.Key)].(*types.Var); isVar && v.IsField() {
				ast.Inspect(n.Value, visit)
				return false
			}
		}
		return fb.check(n, scope, pos, file, base, isRecv, &ok)
	}
	ast.Inspect(fb.expr, visit)
	return ok
}

func (fb *fieldBuild) check(n ast.Node, scope *types.Scope, pos token.Pos, file *ast.File, base string, isRecv map[*ast.Ident]bool, ok *bool) bool {
	id, isIdent := n.(*ast.Ident)
	if !isIdent || isRecv[id] || !*ok {
		return *ok
	}
	obj := fb.r.pass.TypesInfo.Uses[id]
	if obj == nil {
		return true
	}
	if id.Name == base {
		*ok = false
		return false
	}
	if obj.Pkg() != nil && obj.Pos() >= fb.expr.Pos() && obj.Pos() < fb.expr.End() {
		return true // declared inside the pool's own text
	}
	_, found := scope.LookupParent(id.Name, pos)
	if pn, isPkg := obj.(*types.PkgName); isPkg {
		if fp, same := found.(*types.PkgName); same && fp.Imported() == pn.Imported() {
			return true
		}
		if found == nil && pn.Imported().Name() == id.Name {
			name, good := fb.im.Name(file, pn.Imported())
			*ok = good && name == id.Name
			return *ok
		}
		*ok = false
		return false
	}
	if found != obj {
		*ok = false
	}
	return *ok
}
