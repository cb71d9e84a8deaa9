package clientchurn

import (
	"bytes"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"

	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// How the package makes, holds and copies values of a type a field fix
// would add a pool to: one constructor, no copies, and not made per call.

// byValue lists where this package holds, passes or makes a value of the
// type other than as the operand of &T{...}: a value that can be copied,
// or made zero without its constructor.
func (fb *fieldBuild) byValue() (lits []*ast.CompositeLit, at token.Pos) {
	info := fb.r.pass.TypesInfo
	holds := func(t types.Type) bool { return holdsByValue(t, fb.named, 0) }
	for _, f := range fb.r.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.UnaryExpr:
				if lit, ok := ast.Unparen(n.X).(*ast.CompositeLit); ok && n.Op == token.AND && types.Identical(info.TypeOf(lit), fb.named) {
					lits = append(lits, lit)
					for _, e := range lit.Elts {
						fb.scanValues(e, holds, &at)
					}
					return false
				}
			case *ast.Ident:
				if obj, ok := info.Defs[n].(*types.Var); ok && holds(obj.Type()) && !at.IsValid() {
					at = n.Pos()
				}
			case ast.Expr:
				if tv, ok := info.Types[n]; ok && !tv.IsType() && holds(tv.Type) && !at.IsValid() {
					at = n.Pos()
				}
			}
			return true
		})
	}
	return lits, at
}

func (fb *fieldBuild) scanValues(n ast.Node, holds func(types.Type) bool, at *token.Pos) {
	info := fb.r.pass.TypesInfo
	ast.Inspect(n, func(m ast.Node) bool {
		if e, ok := m.(ast.Expr); ok {
			if tv, ok := info.Types[e]; ok && !tv.IsType() && holds(tv.Type) && !at.IsValid() {
				*at = e.Pos()
			}
		}
		return true
	})
}

// holdsByValue reports whether a value of type t contains a T itself (not
// through a pointer).
func holdsByValue(t types.Type, named *types.Named, depth int) bool {
	if depth > 8 {
		return false
	}
	if types.Identical(t, named) {
		return true
	}
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		return holdsByValue(u.Underlying(), named, depth+1)
	case *types.Struct:
		return anyHoldsByValue(u.NumFields(), func(i int) types.Type { return u.Field(i).Type() }, named, depth+1)
	case *types.Array:
		return holdsByValue(u.Elem(), named, depth+1)
	case *types.Slice:
		return holdsByValue(u.Elem(), named, depth+1)
	case *types.Map:
		return holdsByValue(u.Key(), named, depth+1) || holdsByValue(u.Elem(), named, depth+1)
	case *types.Chan:
		return holdsByValue(u.Elem(), named, depth+1)
	case *types.Tuple:
		return anyHoldsByValue(u.Len(), func(i int) types.Type { return u.At(i).Type() }, named, depth+1)
	}
	return false
}

// anyHoldsByValue reports whether any of the n types elem gives (a
// struct's fields, a tuple's members) holds a T by value.
func anyHoldsByValue(n int, elem func(int) types.Type, named *types.Named, depth int) bool {
	for i := 0; i < n; i++ {
		if holdsByValue(elem(i), named, depth) {
			return true
		}
	}
	return false
}

// madePerCall returns why the function that makes a value of the type at
// lit may run per call (and a pool built per value with it), or "".
func (fb *fieldBuild) madePerCall(lit ast.Node) string {
	r := fb.r
	for _, n := range edit.PathTo(r.pass, lit) {
		switch n := n.(type) {
		case *ast.FuncLit:
			for _, f := range r.res.Funcs {
				if f.SSA.Syntax() == n && f.PerCall != nil {
					return lifetime.StepOf(f.SSA).String() + " makes one per call (" + f.PerCall.Why + ")"
				}
			}
			return ""
		case *ast.FuncDecl:
			if obj, ok := r.pass.TypesInfo.Defs[n.Name].(*types.Func); ok {
				return fb.runsPerCall(obj)
			}
			return ""
		}
	}
	return ""
}

// runsPerCall returns why fnObj, which makes a value of the type, may run
// per call, or "".
func (fb *fieldBuild) runsPerCall(fnObj *types.Func) string {
	r := fb.r
	info := r.pass.TypesInfo
	for id, obj := range info.Uses {
		if obj != fnObj {
			continue
		}
		path := edit.PathTo(r.pass, id)
		if len(path) < 2 {
			continue
		}
		call, ok := path[1].(*ast.CallExpr)
		if sel, isSel := path[1].(*ast.SelectorExpr); isSel && sel.Sel == id && len(path) > 2 {
			call, ok = path[2].(*ast.CallExpr)
			ok = ok && call.Fun == sel
		} else {
			ok = ok && call.Fun == id
		}
		if !ok {
			return fnObj.Name() + ", which makes one, is used as a value and may run per call"
		}
	}
	fn := r.res.Pkg.Prog.FuncValue(fnObj)
	if f := r.res.Func(fn); f != nil && f.PerCall != nil {
		return fnObj.Name() + " makes one per call (" + f.PerCall.Why + ")"
	}
	for _, f := range r.res.Funcs {
		for _, b := range f.SSA.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(ssa.CallInstruction)
				if !ok || call.Common().StaticCallee() != fn {
					continue
				}
				if f.Repeats(b) {
					return lifetime.StepOf(f.SSA).String() + " calls " + fnObj.Name() + ", which makes one, in a loop"
				}
			}
		}
	}
	return ""
}

// testMentions scans the _test.go files next to the package's sources
// for the type's name: any mention at all, and any that is not after & or
// * (a value of the type, which may be a copy). Both variants of the
// package must offer the same edit, so both read every test file: through
// pass.ReadFile where the driver allows it (the test variant, whose files
// they are; churnlint's own loader), from disk where it refuses (go vet
// and the x/tools checker give the non-test variant none of its tests).
// There, a driver's cache may keep the answer across a change to a test
// only (reading nothing instead changes the fixes: fixes/field_tested.go).
func (r *reporter) testMentions(named *types.Named) (mentioned, byValue bool) {
	if len(r.pass.Files) == 0 {
		return false, false
	}
	dir := filepath.Dir(r.pass.Fset.File(r.pass.Files[0].Pos()).Name())
	tests, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	name := named.Obj().Name()
	for _, path := range tests {
		src, err := r.pass.ReadFile(path)
		if err != nil {
			src, err = os.ReadFile(path)
		}
		if err != nil || !bytes.Contains(src, []byte(name)) {
			continue
		}
		fset := token.NewFileSet()
		var sc scanner.Scanner
		sc.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
		var prev [3]token.Token // the three tokens before, nearest first
		for {
			_, tok, lit := sc.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.IDENT && lit == name {
				mentioned = true
				before := prev[0]
				if before == token.PERIOD && prev[1] == token.IDENT {
					before = prev[2] // pkg.T
				}
				if before != token.AND && before != token.MUL {
					byValue = true
				}
			}
			prev[2], prev[1], prev[0] = prev[1], prev[0], tok
		}
	}
	return mentioned, byValue
}
