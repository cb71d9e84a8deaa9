package clientchurn

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
)

// What a pool's configuration reads (configDeps), and what the function
// does with the pool it names (localUse): the inputs of every safety
// proof of the fixes.

// configDeps is what a pool's configuration reads, for deciding where it
// can be built once instead.
type configDeps struct {
	// why is set when nothing can build it once: it calls a function or
	// reads a local variable or parameter.
	why string
	// recvFields are the fields of the method's receiver it reads as
	// recv.f; recvIdents every mention of the receiver (all of them in
	// such selectors, or in bound method values recv.m).
	recvFields []*types.Var
	recvIdents []*ast.Ident
	// pkgVars are the package-level variables of this package it reads
	// when it is built (not those read later inside function literals);
	// derefs those it dereferences (*insecure, a flag).
	pkgVars []*types.Var
	derefs  []*types.Var
}

// configDeps finds what expr reads. recv is the receiver of the method
// that builds it, or nil: reads of recv.f are then recorded instead of
// refused. Conversions, new, and http.DefaultTransport.(*http.Transport).Clone()
// are the only calls allowed.
func (r *reporter) configDeps(expr ast.Expr, recv *types.Var) *configDeps {
	info := r.pass.TypesInfo
	d := new(configDeps)
	if tv, ok := info.Types[expr]; ok {
		if _, isTuple := tv.Type.(*types.Tuple); isTuple {
			d.why = "it also returns an error, which must be handled where it is created: create it once at startup and keep it"
			return d
		}
	}
	var visit func(n ast.Node, inLit bool) bool
	visit = func(n ast.Node, inLit bool) bool {
		if d.why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			// Read when the literal runs, not when the pool is built.
			ast.Inspect(n.Body, func(m ast.Node) bool { return visit(m, true) })
			return false
		case *ast.KeyValueExpr:
			if v, ok := info.Uses[identOf(n.Key)].(*types.Var); ok && v.IsField() {
				ast.Inspect(n.Value, func(m ast.Node) bool { return visit(m, inLit) })
				return false
			}
		case *ast.SelectorExpr:
			if id := identOf(n.X); id != nil && recv != nil && info.Uses[id] == recv {
				sel := info.Selections[n]
				switch {
				case sel != nil && sel.Kind() == types.FieldVal && len(sel.Index()) == 1:
					if f := sel.Obj().(*types.Var); !slices.Contains(d.recvFields, f) {
						d.recvFields = append(d.recvFields, f)
					}
				case sel != nil && sel.Kind() == types.MethodVal:
				default:
					d.why = fmt.Sprintf("its configuration reads %s, which is not a field of %s's own", types.ExprString(n), id.Name)
					return false
				}
				d.recvIdents = append(d.recvIdents, id)
				return false
			}
		case *ast.StarExpr:
			if id := identOf(ast.Unparen(n.X)); id != nil && !inLit {
				if v, ok := info.Uses[id].(*types.Var); ok && r.isPackageVar(v) && !slices.Contains(d.derefs, v) {
					d.derefs = append(d.derefs, v)
				}
			}
		case *ast.CallExpr:
			if tv, ok := info.Types[n.Fun]; ok && tv.IsType() {
				return true
			}
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "new" {
				if _, builtin := info.Uses[id].(*types.Builtin); builtin {
					return true
				}
			}
			if isCloneOfDefault(info, n) {
				return true
			}
			if n == expr {
				// A catalogued constructor: only its arguments matter,
				// and the value it is a method of (base.Clone()).
				ast.Inspect(n.Fun, func(m ast.Node) bool { return visit(m, inLit) })
				for _, a := range n.Args {
					ast.Inspect(a, func(m ast.Node) bool { return visit(m, inLit) })
				}
				return false
			}
			d.why = "its configuration calls " + types.ExprString(n.Fun) + " on every call, which a package-level var would call once"
			return false
		case *ast.Ident:
			v, ok := info.Uses[n].(*types.Var)
			if !ok || v.IsField() {
				return true
			}
			if v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
				// A package-level variable, here or imported.
				if v.Pkg() == r.pass.Pkg && !inLit && !slices.Contains(d.pkgVars, v) {
					d.pkgVars = append(d.pkgVars, v)
				}
				return true
			}
			if expr.Pos() <= v.Pos() && v.Pos() < expr.End() {
				return true // declared inside the expression (a function literal's own)
			}
			if r.assertsDefaultTransport(v) {
				d.why = fmt.Sprintf("it clones http.DefaultTransport through the local %s on every call; clone it once instead, in a package-level var (var t = http.DefaultTransport.(*http.Transport).Clone()), and use that", n.Name)
				return false
			}
			d.why = fmt.Sprintf("its configuration depends on %s, which can change from call to call: keep one pool per distinct %s (a map or sync.Map filled once per key), or build it in the constructor", n.Name, n.Name)
			return false
		}
		return true
	}
	ast.Inspect(expr, func(n ast.Node) bool { return visit(n, false) })
	return d
}

func (r *reporter) isPackageVar(v *types.Var) bool {
	return v.Pkg() == r.pass.Pkg && v.Parent() == v.Pkg().Scope()
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := e.(*ast.Ident)
	return id
}

// isCloneOfDefault matches http.DefaultTransport.(*http.Transport).Clone().
func isCloneOfDefault(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Clone" {
		return false
	}
	x := ast.Unparen(sel.X)
	if ta, ok := x.(*ast.TypeAssertExpr); ok {
		x = ta.X
	}
	xs, ok := x.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, ok := info.Uses[xs.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "net/http" && v.Name() == "DefaultTransport"
}

// localUse returns why the pool, if the function names it in a local
// variable, is used in a way a shared pool must not be: its fields are
// set, it is passed to other functions, or the variable is reassigned.
func (r *reporter) localUse(file *ast.File, expr ast.Expr) string {
	path, _ := astutil.PathEnclosingInterval(file, expr.Pos(), expr.End())
	if len(path) < 2 {
		return ""
	}
	var local *types.Var
	switch p := path[1].(type) {
	case *ast.AssignStmt:
		for i, rhs := range p.Rhs {
			if rhs == expr && i < len(p.Lhs) {
				// c.Transport = &http.Transport{...}: the pool has no
				// name of its own here, so nothing else can touch it.
				if id := identOf(p.Lhs[i]); id != nil {
					local, _ = r.pass.TypesInfo.ObjectOf(id).(*types.Var)
				}
			}
		}
	case *ast.ValueSpec:
		for i, v := range p.Values {
			if v == expr && i < len(p.Names) {
				local, _ = r.pass.TypesInfo.Defs[p.Names[i]].(*types.Var)
			}
		}
	}
	if local == nil {
		return ""
	}
	decl := edit.EnclosingFunc(file, expr.Pos())
	why := ""
	ast.Inspect(decl, func(n ast.Node) bool {
		if why != "" {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && r.pass.TypesInfo.Uses[identOf(sel.X)] == local {
					why = "the function sets " + types.ExprString(sel) + " on it, which a shared pool must not have"
				}
				if id := identOf(lhs); id != nil && r.pass.TypesInfo.Uses[id] == local {
					why = "the variable " + local.Name() + " is reassigned"
				}
			}
		case *ast.CallExpr:
			for _, arg := range n.Args {
				if id := identOf(arg); id != nil && r.pass.TypesInfo.Uses[id] == local {
					why = "it is passed to " + types.ExprString(n.Fun) + ", which may change it"
				}
			}
		}
		return true
	})
	return why
}

// assertsDefaultTransport reports whether local v is defined by a type
// assertion of http.DefaultTransport (t, ok := http.DefaultTransport.(*http.Transport)).
func (r *reporter) assertsDefaultTransport(v *types.Var) bool {
	info := r.pass.TypesInfo
	file := edit.FileOf(r.pass, v.Pos())
	if file == nil {
		return false
	}
	found := false
	ast.Inspect(file, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || found || len(as.Rhs) != 1 || len(as.Lhs) == 0 {
			return !found
		}
		if id := identOf(as.Lhs[0]); id == nil || info.Defs[id] != v {
			return true
		}
		ta, ok := ast.Unparen(as.Rhs[0]).(*ast.TypeAssertExpr)
		if !ok {
			return true
		}
		if xs, ok := ast.Unparen(ta.X).(*ast.SelectorExpr); ok {
			dv, ok := info.Uses[xs.Sel].(*types.Var)
			found = ok && dv.Pkg() != nil && dv.Pkg().Path() == "net/http" && dv.Name() == "DefaultTransport"
		}
		return !found
	})
	return found
}
