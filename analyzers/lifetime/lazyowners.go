package lifetime

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/knowledge"
)

// A lazy owner is a round tripper of this package that makes its
// transports on first use: its RoundTrip (or a method of it that RoundTrip
// calls) keeps a new pool in the receiver, in a field or in a map held in
// a field (CycleTLS's roundTripper caches one transport per address).
// Allocating one is making a pool: every value fills its own, so one made
// per request and dropped strands the transports it made.

// maxFillDepth bounds how far from RoundTrip the fill is looked for.
const maxFillDepth = 3

// lazyOwnerSite records the allocation of a lazy owner as a new pool.
func (a *pkgRun) lazyOwnerSite(f *Func, in *ssa.Alloc, elem types.Type) {
	n, ok := types.Unalias(elem).(*types.Named)
	if !ok || n.Obj().Pkg() != a.pass.Pkg || n.TypeParams().Len() > 0 {
		return
	}
	if _, ok := n.Underlying().(*types.Struct); !ok {
		return
	}
	rt := a.roundTrip(n)
	if rt == nil {
		return
	}
	fill := a.fillFrom(rt, n, 0, make(map[*ssa.Function]bool))
	if fill == nil {
		return
	}
	made := fill.Chain[len(fill.Chain)-1].Name
	label := "&" + n.Obj().Name() + "{} (its " + rt.Name() + " makes " + made + ")"
	if in.Comment == "new" {
		label = "new(" + n.Obj().Name() + ") (its " + rt.Name() + " makes " + made + ")"
	}
	f.Sites = append(f.Sites, &Site{Fn: f, Instr: in, Value: in, Kind: catalog.Transport, Owned: true, Chain: Chain{{Name: label}}})
}

// roundTrip returns the RoundTrip method of *n when *n implements the
// RoundTripper of net/http or of a fork of it that the package imports.
func (a *pkgRun) roundTrip(n *types.Named) *ssa.Function {
	ptr := types.NewPointer(n)
	for _, imp := range a.pass.Pkg.Imports() {
		if !knowledge.IsHTTPPackage(imp.Path()) {
			continue
		}
		tn, ok := imp.Scope().Lookup("RoundTripper").(*types.TypeName)
		if !ok {
			continue
		}
		it, ok := tn.Type().Underlying().(*types.Interface)
		if !ok || it.NumMethods() != 1 || !types.Implements(ptr, it) {
			continue
		}
		sel := types.NewMethodSet(ptr).Lookup(nil, it.Method(0).Name())
		if sel == nil {
			continue
		}
		if fn := a.res.Pkg.Prog.FuncValue(sel.Obj().(*types.Func)); fn != nil && a.funcOf(fn) != nil {
			return fn
		}
	}
	return nil
}

// fillFrom returns a site of fn, or of a method of n it calls, that keeps
// a new pool in the receiver; nil if there is none.
func (a *pkgRun) fillFrom(fn *ssa.Function, n *types.Named, depth int, seen map[*ssa.Function]bool) *Site {
	g := a.funcOf(fn)
	if g == nil || seen[fn] || depth > maxFillDepth {
		return nil
	}
	seen[fn] = true
	a.summarize(g)
	for _, s := range g.Sites {
		if s.Fate != nil && !s.Fate.Cond() && !s.Fate.ReleaseStored && keptInReceiver(g.SSA, s) {
			return s
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee := call.Common().StaticCallee()
			if callee == nil || callee.Parent() != nil || RecvNamed(callee.Signature) != n {
				continue
			}
			if s := a.fillFrom(callee, n, depth+1, seen); s != nil {
				return s
			}
		}
	}
	return nil
}

// keptInReceiver reports whether site s of method fn is kept in a field of
// fn's receiver, or in a map that such a field holds.
func keptInReceiver(fn *ssa.Function, s *Site) bool {
	if s.Fate.KeptField != nil {
		return true
	}
	if s.Fate.Kept == "" || !s.Fate.KeptAt.IsValid() || fn.Signature.Recv() == nil || len(fn.Params) == 0 {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			up, ok := instr.(*ssa.MapUpdate)
			if !ok || up.Pos() != s.Fate.KeptAt {
				continue
			}
			return receiverField(fn, up.Map)
		}
	}
	return false
}

// receiverField reports whether v is loaded from a field of fn's receiver.
func receiverField(fn *ssa.Function, v ssa.Value) bool {
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	return ok && fa.X == fn.Params[0]
}
