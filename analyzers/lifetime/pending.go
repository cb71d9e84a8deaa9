package lifetime

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Calls through an interface that no type this package can see
// implements with a fresh pool are still worth remembering when a
// per-call function drops what they return: the implementation may live
// in a package that imports this one (a plugin, a store, a client factory
// wired together in main). Such a call is exported as a DroppedCalls
// package fact; a package that sees the fact among its dependencies' and
// implements the interface with a method returning a new pool reports it
// at its own creation site. Facts flow from dependencies to importers, so
// an implementation in a package that does not import the caller's (both
// imported only by main) is still not seen, by any driver.

// pendingCall is an interface call whose result would be a new pool if
// the implementation makes one, and how it reaches the function holding
// its result.
type pendingCall struct {
	iface  *types.Named
	method string
	result int
	chain  Chain      // from the function holding the value down to the call
	field  *types.Var // a function-typed field of the struct iface instead (wholeprogram.go)
}

// pendingResult says that a result of a function is what a pending call
// returned.
type pendingResult struct {
	result int
	call   *pendingCall
}

// DroppedCalls is the package fact listing the interface calls that
// per-call functions of the package make and whose results they drop.
type DroppedCalls struct {
	Calls []DroppedCall
}

func (*DroppedCalls) AFact() {}

func (d *DroppedCalls) String() string {
	s := "dropped("
	for i, c := range d.Calls {
		if i > 0 {
			s += ", "
		}
		s += c.Iface.Pkg + "." + c.Iface.Name + "." + c.Method
	}
	return s + ")"
}

// TypeRef names a package-level type by its package path and name.
type TypeRef struct {
	Pkg, Name string
}

// DroppedCall is one interface call whose result a per-call function
// drops.
type DroppedCall struct {
	Iface   TypeRef
	Method  string
	Result  int
	Dropper Step      // the per-call function that drops the result
	Chain   Chain     // entry -> ... -> the function that drops it -> the call
	Why     string    // why that function runs per call
	At      SourcePos // the call
	// Field: the call is of the function-typed field Method of the struct
	// type Iface (whole-program drivers only, wholeprogram.go).
	Field bool
}

// RemoteDrop is a method of this package that returns a new pool on
// every call, and a per-call function of a package it imports that calls
// it through an interface and drops the result.
type RemoteDrop struct {
	Fn     *Func
	Fresh  Fresh
	Origin token.Pos // where the pool is created in this package, if it is
	Call   DroppedCall
}

// pendingSites records the results of an interface call that no visible
// implementation fills with a new pool.
func (a *pkgRun) pendingSites(f *Func, call *ssa.Call) {
	common := call.Common()
	n, ok := types.Unalias(common.Value.Type()).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.TypeParams().Len() > 0 || n.Obj().Parent() != n.Obj().Pkg().Scope() || a.inGoroot(n.Obj()) {
		return // a standard library interface (io.Reader, context.Context) hands back no pool
	}
	sig := common.Signature()
	for i := 0; i < sig.Results().Len(); i++ {
		t := sig.Results().At(i).Type()
		if !mayHold(t) || isErrorType(t) {
			continue
		}
		if v := resultValue(call, i); v != nil {
			pc := &pendingCall{iface: n, method: common.Method.Name(), result: i, chain: Chain{dynamicStep(call, nil)}}
			f.pending = append(f.pending, &Site{Fn: f, Instr: call, Value: v, Chain: pc.chain, pending: pc})
		}
	}
}

// pendingFromCallee records what a call of a function of this package
// hands back from its own pending calls.
func (a *pkgRun) pendingFromCallee(f *Func, call *ssa.Call, g *Func) {
	for _, p := range g.pendingFresh {
		if v := resultValue(call, p.result); v != nil {
			pc := *p.call
			pc.chain = p.call.chain.prepend(funcStep(g.SSA))
			f.pending = append(f.pending, &Site{Fn: f, Instr: call, Value: v, Chain: pc.chain, pending: &pc})
		}
	}
}

// summarizePending follows each pending result to its fate, and notes the
// ones the function returns.
func (a *pkgRun) summarizePending(f *Func) {
	for _, s := range f.pending {
		s.Fate = a.fateOf(f.SSA, s.Value, accessPath{})
		if traceOut != nil {
			fmt.Fprintf(traceOut, "TRACE pending %s %s via %s.%s kept=%q returned=%v released=%v used=%v cond=%v\n", a.pass.Fset.Position(s.Instr.Pos()), f.SSA, s.pending.iface.Obj().Name(), s.pending.method, s.Fate.Kept, s.Fate.Returned, s.Fate.Released(), s.Fate.Used, s.Fate.Cond())
		}
		if s.Fate.Kept != "" || s.Fate.MemoField != nil {
			continue
		}
		for _, r := range s.Fate.Returned {
			f.pendingFresh = append(f.pendingFresh, pendingResult{result: r, call: s.pending})
		}
	}
}

// exportDroppedCalls publishes the pending calls that per-call functions
// drop (see DroppedCalls).
func (a *pkgRun) exportDroppedCalls() {
	var out []DroppedCall
	for _, f := range a.res.Funcs {
		for _, s := range f.pending {
			if !s.Fate.Dropped() || !s.Fate.Used || s.Fate.Cond() || s.Fate.Released() {
				continue
			}
			why, chain := "", Chain(nil)
			switch {
			case f.PerCall != nil:
				why, chain = f.PerCall.Why, f.PerCall.Chain
			case s.Repeats():
				why, chain = "it runs in a loop", Chain{funcStep(f.SSA)}
			default:
				continue
			}
			if len(chain) == 0 {
				chain = Chain{funcStep(f.SSA)}
			}
			out = append(out, DroppedCall{
				Iface:   TypeRef{Pkg: s.pending.iface.Obj().Pkg().Path(), Name: s.pending.iface.Obj().Name()},
				Method:  s.pending.method,
				Result:  s.pending.result,
				Dropper: funcStep(f.SSA),
				Chain:   append(append(Chain(nil), chain...), s.pending.chain...),
				Why:     why,
				At:      sourcePos(a.pass.Fset, s.Instr.Pos()),
				Field:   s.pending.field != nil,
			})
		}
	}
	if traceOut != nil {
		for _, c := range out {
			fmt.Fprintf(traceOut, "TRACE dropped %s %s.%s.%s chain=%v\n", c.At, c.Iface.Pkg, c.Iface.Name, c.Method, c.Chain)
		}
	}
	if len(out) > 0 {
		a.pass.ExportPackageFact(&DroppedCalls{Calls: out})
	}
	a.exportProgramFacts()
}

// matchDroppedCalls finds the methods of this package that the dropped
// calls of its dependencies may run, and that return a new pool.
func (a *pkgRun) matchDroppedCalls() {
	a.matchProgramDrops()
	// Every package this one depends on, directly or not: the callers
	// (and their facts) and the interfaces' packages are among them. Read
	// one by one, as drivers without AllPackageFacts allow (the standard
	// library, never analysed, has none).
	byPath := make(map[string]*types.Package)
	var visit func(p *types.Package)
	visit = func(p *types.Package) {
		if _, seen := byPath[p.Path()]; seen {
			return
		}
		byPath[p.Path()] = p
		for _, imp := range p.Imports() {
			visit(imp)
		}
	}
	visit(a.pass.Pkg)
	var calls []DroppedCall
	for _, p := range byPath {
		d := new(DroppedCalls)
		if p != a.pass.Pkg && a.pass.ImportPackageFact(p, d) {
			calls = append(calls, d.Calls...)
		}
	}
	if traceOut != nil {
		fmt.Fprintf(traceOut, "TRACE match %s: %d dropped calls in dependencies\n", a.pass.Pkg.Path(), len(calls))
	}
	if len(calls) == 0 {
		return
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].At.less(calls[j].At) })
	for _, c := range calls {
		p := byPath[c.Iface.Pkg]
		if p == nil || c.Field {
			continue
		}
		tn, ok := p.Scope().Lookup(c.Iface.Name).(*types.TypeName)
		if !ok || !types.IsInterface(tn.Type()) {
			continue
		}
		sel := types.NewMethodSet(tn.Type()).Lookup(p, c.Method)
		if sel == nil {
			continue
		}
		m := sel.Obj().(*types.Func)
		for _, fn := range a.implementations(m, true) {
			g := a.funcOf(fn)
			if g == nil {
				continue
			}
			a.summarize(g)
			for _, r := range g.fresh {
				if r.Result == c.Result && !r.onNilOnly() {
					a.res.RemoteDrops = append(a.res.RemoteDrops, &RemoteDrop{Fn: g, Fresh: r, Origin: g.freshPos[r.Result], Call: c})
					break
				}
			}
		}
	}
}

// sourcePos is pos as facts carry it.
func sourcePos(fset *token.FileSet, pos token.Pos) SourcePos {
	p := fset.Position(pos)
	return SourcePos{File: p.Filename, Line: p.Line, Column: p.Column}
}

var _ analysis.Fact = (*DroppedCalls)(nil)

// inGoroot reports whether obj is declared in the standard library.
func (a *pkgRun) inGoroot(obj types.Object) bool {
	f := a.pass.Fset.File(obj.Pos())
	return f != nil && strings.HasPrefix(filepath.Clean(f.Name()), goroot)
}

func (p SourcePos) less(q SourcePos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Column < q.Column
}
