package clientchurn

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
)

// Whether what the configuration reads stays put once the pool is built
// once. Package-level state: a package-level var is built during package
// initialisation, so it must read only values that nothing changes
// afterwards; state set by init functions only is read correctly by a
// pool built on first use (sync.OnceValue), as init functions finish
// before any other code runs. Receiver fields: written only while the
// value is being built.

// writers of a package-level variable or of a receiver field.
type writers struct {
	inInit    bool     // some write is in an init function
	elsewhere []string // the other functions that write, by name
	at        token.Pos
}

// writeRoot returns the variable whose state a write to e changes:
// v for v, v.f, v[i], *v and their combinations.
func writeRoot(info *types.Info, e ast.Expr) *ast.Ident {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return x
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel == nil || sel.Kind() != types.FieldVal {
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// eachWrite calls fn for every expression of the package's function
// bodies whose state a statement changes: assignment targets, ++ and --,
// range variables, operands of &, and operands of pointer methods called
// on addressable values. fn gets the expression and the function
// declaration around it, and whether a function literal lies between.
func (r *reporter) eachWrite(fn func(target ast.Expr, decl *ast.FuncDecl, inLit bool)) {
	info := r.pass.TypesInfo
	for _, file := range r.pass.Files {
		for _, d := range file.Decls {
			decl, ok := d.(*ast.FuncDecl)
			if !ok || decl.Body == nil {
				continue
			}
			var visit func(n ast.Node, inLit bool) bool
			visit = func(n ast.Node, inLit bool) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					ast.Inspect(n.Body, func(m ast.Node) bool { return visit(m, true) })
					return false
				case *ast.AssignStmt:
					if n.Tok != token.DEFINE {
						for _, lhs := range n.Lhs {
							fn(lhs, decl, inLit)
						}
					}
				case *ast.IncDecStmt:
					fn(n.X, decl, inLit)
				case *ast.RangeStmt:
					if n.Tok == token.ASSIGN {
						if n.Key != nil {
							fn(n.Key, decl, inLit)
						}
						if n.Value != nil {
							fn(n.Value, decl, inLit)
						}
					}
				case *ast.UnaryExpr:
					if n.Op == token.AND {
						fn(n.X, decl, inLit)
					}
				case *ast.SelectorExpr:
					if sel := info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
						if _, ptrRecv := sel.Obj().(*types.Func).Signature().Recv().Type().(*types.Pointer); ptrRecv {
							if _, isPtr := sel.Recv().Underlying().(*types.Pointer); !isPtr {
								fn(n.X, decl, inLit)
							}
						}
					}
				}
				return true
			}
			ast.Inspect(decl.Body, func(n ast.Node) bool { return visit(n, false) })
		}
	}
}

// varWriters finds the functions of this package that change v.
func (r *reporter) varWriters(v *types.Var) *writers {
	w := new(writers)
	r.eachWrite(func(target ast.Expr, decl *ast.FuncDecl, inLit bool) {
		id := writeRoot(r.pass.TypesInfo, target)
		if id == nil || r.pass.TypesInfo.Uses[id] != v {
			return
		}
		if decl.Recv == nil && decl.Name.Name == "init" && !inLit {
			w.inInit = true
			return
		}
		w.elsewhere = append(w.elsewhere, decl.Name.Name)
		if !w.at.IsValid() {
			w.at = target.Pos()
		}
	})
	return w
}

// packageStateWhy returns why a pool reading d's package-level state
// cannot be built once, or whether it must be built lazily (sync.OnceValue)
// rather than at initialisation.
func (r *reporter) packageStateWhy(d *configDeps) (why string, lazy bool) {
	for _, v := range d.derefs {
		return "its configuration reads *" + v.Name() + ", which may be set after the package is initialised (a flag, say): build the pool once, after it is set", false
	}
	for _, v := range d.pkgVars {
		if v.Exported() {
			return "its configuration reads " + v.Name() + ", which other packages may set after it is initialised: build the pool once, after it is set (in the constructor, say)", false
		}
		w := r.varWriters(v)
		if len(w.elsewhere) > 0 {
			return "its configuration reads " + v.Name() + ", which " + w.elsewhere[0] + " sets (" + edit.Position(r.pass.Fset, w.at) + "): a pool built once would keep the value it had then; build it once " + v.Name() + " is final (in the constructor, say)", false
		}
		lazy = lazy || w.inInit
	}
	return "", lazy
}

// fieldWriters finds the writes to field f outside the building of the
// value that holds it.
func (r *reporter) fieldWriters(f *types.Var) *writers {
	info := r.pass.TypesInfo
	w := new(writers)
	r.eachWrite(func(target ast.Expr, decl *ast.FuncDecl, inLit bool) {
		for e := ast.Unparen(target); ; {
			var next ast.Expr
			switch x := e.(type) {
			case *ast.SelectorExpr:
				if sel := info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal && sel.Obj() == f {
					if inLit || !r.beingBuilt(decl, x.X, target.Pos()) {
						w.elsewhere = append(w.elsewhere, decl.Name.Name)
						if !w.at.IsValid() {
							w.at = target.Pos()
						}
					}
					return
				}
				next = x.X
			case *ast.IndexExpr:
				next = x.X
			case *ast.StarExpr:
				next = x.X
			case *ast.ParenExpr:
				next = x.X
			}
			if next == nil {
				return
			}
			e = next
		}
	})
	return w
}

// beingBuilt reports whether base, in decl, is a local variable that holds
// a value decl has just made (x := &T{...}, new(T), T{...}) and that
// nothing but field accesses has used before pos.
func (r *reporter) beingBuilt(decl *ast.FuncDecl, base ast.Expr, pos token.Pos) bool {
	info := r.pass.TypesInfo
	id := identOf(ast.Unparen(base))
	if id == nil {
		return false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.Kind() != types.LocalVar || !(decl.Pos() <= v.Pos() && v.Pos() < decl.End()) {
		return false
	}
	if !r.madeAt(decl, v) {
		return false
	}
	return r.onlyFieldsUsed(decl.Body, v, pos)
}

// madeAt reports whether v is declared in decl as the value of a
// composite literal, its address, or new(T).
func (r *reporter) madeAt(decl *ast.FuncDecl, v *types.Var) bool {
	path, _ := astutil.PathEnclosingInterval(edit.FileOf(r.pass, decl.Pos()), v.Pos(), v.Pos())
	var rhs ast.Expr
	for _, n := range path {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if id := identOf(l); id != nil && id.Pos() == v.Pos() && len(n.Rhs) == len(n.Lhs) {
					rhs = n.Rhs[i]
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if name.Pos() == v.Pos() && len(n.Values) == len(n.Names) {
					rhs = n.Values[i]
				}
			}
		}
		if rhs != nil {
			break
		}
	}
	return rhs != nil && r.isConstruction(rhs)
}

// isConstruction matches T{...}, &T{...} and new(T).
func (r *reporter) isConstruction(e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	switch e := e.(type) {
	case *ast.CompositeLit:
		return true
	case *ast.CallExpr:
		if id := identOf(e.Fun); id != nil && id.Name == "new" {
			_, builtin := r.pass.TypesInfo.Uses[id].(*types.Builtin)
			return builtin
		}
	}
	return false
}

// onlyFieldsUsed reports whether every use of v in body before pos reads
// or writes one of its fields: no method runs on it, nothing else gets it.
func (r *reporter) onlyFieldsUsed(body ast.Node, v *types.Var, pos token.Pos) bool {
	info := r.pass.TypesInfo
	asBase := make(map[*ast.Ident]bool)
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id := identOf(ast.Unparen(n.X)); id != nil {
				if sel := info.Selections[n]; sel != nil && sel.Kind() == types.FieldVal {
					asBase[id] = true
				}
			}
		case *ast.Ident:
			if n.Pos() < pos && info.Uses[n] == v && !asBase[n] {
				ok = false
			}
		}
		return true
	})
	return ok
}
