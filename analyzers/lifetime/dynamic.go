package lifetime

import (
	"go/types"
	"iter"

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

// dynamicTargets resolves a call that has no static callee. Interface
// calls are resolved over this package's own types when local is set (to
// spread per-call-ness, which only this package's functions take), and
// over its imports' too otherwise (to find a fresh pool a callee returns,
// or churns).
func (a *pkgRun) dynamicTargets(call ssa.CallInstruction, local bool) []*ssa.Function {
	common := call.Common()
	if common.StaticCallee() != nil {
		return nil
	}
	if common.IsInvoke() {
		return a.implementations(common.Method, local)
	}
	if field := fieldVar(common.Value); field != nil {
		return a.factories[field]
	}
	if g := funcGlobal(common.Value); g != nil {
		return a.globalFuncs[g]
	}
	if t := funcTypeReceiver(common.Value); t != nil {
		return a.convertedFuncs[t]
	}
	return nil
}

// funcTypeReceiver returns the named function type T when v is the
// receiver of a method of T: RoundTripperFunc.RoundTrip calling f(r).
func funcTypeReceiver(v ssa.Value) *types.Named {
	p, ok := v.(*ssa.Parameter)
	if !ok || p.Parent() == nil || p.Parent().Signature.Recv() == nil || p.Parent().Params[0] != p {
		return nil
	}
	return namedFuncType(p.Type())
}

// namedFuncType returns t as a named type whose underlying type is a
// function signature, or nil.
func namedFuncType(t types.Type) *types.Named {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return nil
	}
	if _, isFunc := n.Underlying().(*types.Signature); !isFunc {
		return nil
	}
	return n
}

// instructions yields every instruction of the package's functions.
func (a *pkgRun) instructions() iter.Seq[ssa.Instruction] {
	return func(yield func(ssa.Instruction) bool) {
		for _, f := range a.res.Funcs {
			for _, b := range f.SSA.Blocks {
				for _, instr := range b.Instrs {
					if !yield(instr) {
						return
					}
				}
			}
		}
	}
}

// collectConvertedFuncs records the functions this package converts to a
// named function type (RoundTripperFunc(func(r *http.Request) ...)): what
// the type's methods run when they call their receiver.
func (a *pkgRun) collectConvertedFuncs() {
	a.convertedFuncs = make(map[*types.Named][]*ssa.Function)
	for instr := range a.instructions() {
		ct, ok := instr.(*ssa.ChangeType)
		if !ok {
			continue
		}
		if n := namedFuncType(ct.Type()); n != nil {
			if fn := funcValue(ct.X); fn != nil {
				a.convertedFuncs[n] = append(a.convertedFuncs[n], fn)
			}
		}
	}
}

// implementations lists the methods that an interface method call may run:
// those of the named types of this package and its direct imports that
// implement the interface.
func (a *pkgRun) implementations(m *types.Func, local bool) []*ssa.Function {
	key := implKey{m, local}
	if fns, ok := a.impls[key]; ok {
		return fns
	}
	iface, ok := m.Type().(*types.Signature).Recv().Type().Underlying().(*types.Interface)
	var out []*ssa.Function
	if ok {
		prog := a.res.Pkg.Prog
		for _, t := range a.namedTypes(local) {
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
	a.impls[key] = out
	return out
}

// implKey caches implementations by method and scope.
type implKey struct {
	m     *types.Func
	local bool
}

// resultsMayHold reports whether any result of sig could hold a pool.
func resultsMayHold(sig *types.Signature) bool {
	for i := 0; i < sig.Results().Len(); i++ {
		if mayHold(sig.Results().At(i).Type()) && !isErrorType(sig.Results().At(i).Type()) {
			return true
		}
	}
	return false
}

func isErrorType(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// namedTypes lists the concrete named types declared by this package (and
// its direct imports, unless local).
func (a *pkgRun) namedTypes(local bool) []*types.Named {
	if local {
		if a.localNamed == nil {
			a.localNamed = namedIn([]*types.Package{a.pass.Pkg})
		}
		return a.localNamed
	}
	if a.named == nil {
		a.named = namedIn(append([]*types.Package{a.pass.Pkg}, a.pass.Pkg.Imports()...))
	}
	return a.named
}

// namedIn lists the concrete, non-generic named types the packages declare.
func namedIn(pkgs []*types.Package) []*types.Named {
	out := []*types.Named{}
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
			out = append(out, n)
		}
	}
	return out
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
	for instr := range a.instructions() {
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
	if target == nil {
		return Step{Name: via} // not resolved (pending.go)
	}
	name := funcStep(target).Name
	if target.Pkg != nil && call.Parent() != nil && call.Parent().Pkg != target.Pkg {
		name = funcStep(target).String() // another package's function
	}
	return Step{Name: via + " (" + name + ")"}
}
