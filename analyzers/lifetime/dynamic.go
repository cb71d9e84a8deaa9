package lifetime

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Calls through interfaces and function values are resolved over what this
// package can see, the way class-hierarchy analysis does: an interface
// method call may run the method of any type of this package or of its
// imports that implements the interface; a call of a function loaded from
// a struct field, a package variable or a map held in one may run any
// function this package stores there. A type wired in only by a package
// that imports this one (main) is not seen: facts flow from dependencies
// to their importers, never back.

// dynamicTargets resolves a call that has no static callee.
func (a *pkgRun) dynamicTargets(call ssa.CallInstruction) []*ssa.Function {
	common := call.Common()
	if common.StaticCallee() != nil {
		return nil
	}
	if common.IsInvoke() {
		return a.implementations(common.Method)
	}
	if field := fieldVar(common.Value); field != nil {
		return a.factories[field]
	}
	if g := funcGlobal(common.Value); g != nil {
		return a.globalFuncs[g]
	}
	return nil
}

// implementations lists the methods that an interface method call may run:
// those of the named types of this package and its direct imports that
// implement the interface.
func (a *pkgRun) implementations(m *types.Func) []*ssa.Function {
	if fns, ok := a.impls[m]; ok {
		return fns
	}
	iface, ok := m.Type().(*types.Signature).Recv().Type().Underlying().(*types.Interface)
	var out []*ssa.Function
	if ok {
		prog := a.res.Pkg.Prog
		for _, t := range a.namedTypes() {
			for _, candidate := range []types.Type{t, types.NewPointer(t)} {
				if !types.Implements(candidate, iface) {
					continue
				}
				if sel := prog.MethodSets.MethodSet(candidate).Lookup(m.Pkg(), m.Name()); sel != nil {
					if fn := prog.MethodValue(sel); fn != nil {
						out = append(out, fn)
					}
				}
				break
			}
		}
	}
	a.impls[m] = out
	return out
}

// namedTypes lists the concrete named types declared by this package and
// its direct imports.
func (a *pkgRun) namedTypes() []*types.Named {
	if a.named != nil {
		return a.named
	}
	a.named = []*types.Named{}
	pkgs := append([]*types.Package{a.pass.Pkg}, a.pass.Pkg.Imports()...)
	for _, p := range pkgs {
		scope := p.Scope()
		for _, name := range scope.Names() {
			tn, ok := scope.Lookup(name).(*types.TypeName)
			if !ok || tn.IsAlias() {
				continue
			}
			n, ok := tn.Type().(*types.Named)
			if !ok || n.TypeParams().Len() > 0 || types.IsInterface(n) {
				continue
			}
			a.named = append(a.named, n)
		}
	}
	return a.named
}

// funcGlobal returns the package variable a function value was loaded
// from, directly or as an element of the map or slice it holds.
func funcGlobal(v ssa.Value) *ssa.Global {
	for i := 0; i < 6; i++ {
		switch x := v.(type) {
		case *ssa.Extract:
			v = x.Tuple
		case *ssa.Lookup:
			v = x.X
		case *ssa.Index:
			v = x.X
		case *ssa.IndexAddr:
			v = x.X
		case *ssa.UnOp:
			v = x.X
		case *ssa.Global:
			return x
		default:
			return nil
		}
	}
	return nil
}

// collectGlobalFuncs records the functions this package stores in package
// variables, directly or in the maps they hold (var probers =
// map[string]ProbeFunc{"http": probeHTTP}).
func (a *pkgRun) collectGlobalFuncs() {
	a.globalFuncs = make(map[*ssa.Global][]*ssa.Function)
	for _, f := range a.res.Funcs {
		for _, b := range f.SSA.Blocks {
			for _, instr := range b.Instrs {
				var val, dest ssa.Value
				switch in := instr.(type) {
				case *ssa.Store:
					val, dest = in.Val, in.Addr
				case *ssa.MapUpdate:
					val, dest = in.Value, in.Map
				default:
					continue
				}
				fn := funcValue(val)
				if fn == nil {
					continue
				}
				if g := funcGlobal(dest); g != nil {
					a.globalFuncs[g] = append(a.globalFuncs[g], fn)
				} else if g := storedGlobal(dest); g != nil {
					a.globalFuncs[g] = append(a.globalFuncs[g], fn)
				}
			}
		}
	}
}

// storedGlobal returns the package variable that a new map or slice is
// stored in, as a var initialiser does.
func storedGlobal(v ssa.Value) *ssa.Global {
	refs := v.Referrers()
	if refs == nil {
		return nil
	}
	for _, ref := range *refs {
		if st, ok := ref.(*ssa.Store); ok && st.Val == v {
			if g, ok := st.Addr.(*ssa.Global); ok {
				return g
			}
		}
	}
	return nil
}

// funcValue returns the function a value is, or makes a closure of.
func funcValue(v ssa.Value) *ssa.Function {
	switch v := stripConversions(v).(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		fn, _ := v.Fn.(*ssa.Function)
		return fn
	}
	return nil
}

// dynamicStep names the call for chains: the field, variable or interface
// method the function was reached through, and what it resolved to.
func dynamicStep(call ssa.CallInstruction, target *ssa.Function) Step {
	common := call.Common()
	via := ""
	switch {
	case common.IsInvoke():
		via = common.Method.Name()
		if n, ok := types.Unalias(common.Value.Type()).(*types.Named); ok {
			via = n.Obj().Name() + "." + via
		}
	case fieldVar(common.Value) != nil:
		via = fieldVar(common.Value).Name()
	case funcGlobal(common.Value) != nil:
		via = funcGlobal(common.Value).Name()
	}
	return Step{Name: via + " (" + funcStep(target).Name + ")"}
}
