package lifetime

import (
	"fmt"
	"go/types"
	"slices"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// Whole-program resolution of dropped calls, for drivers that load every
// package of the program in one process (the standalone command).
//
// A DroppedCalls fact travels from the caller's package to its importers
// only; an implementation in a package that neither imports the caller
// nor is imported by it (both wired together by main or a DI container)
// is not among them. A driver that has analysed every package can close
// that gap after the last one: each package also exports a ProgramFacts
// fact (what its functions return fresh, which of their results are what
// an interface call of theirs returns, which functions it stores in
// which struct fields); MatchProgram matches every dropped call against
// the implementations in all packages, across a second interface when an
// implementation only hands back what another interface call returned;
// the driver then gives each matched implementation's package a
// ProgramDrops fact and analyses it again, and the package reports the
// matches as its own RemoteDrops, one finding per created pool. Under go
// vet nothing of this runs: ExportProgramFacts is off, no package gets a
// ProgramDrops fact.

// ExportProgramFacts makes every analysed package export a ProgramFacts
// fact and note calls through function-typed struct fields that nothing
// in the package resolves. Only a driver that runs MatchProgram sets it
// (before any analysis; never changed afterwards).
var ExportProgramFacts bool

// FuncRef names a package-level function (Recv "") or a method of a
// package-level named type.
type FuncRef struct {
	Pkg, Recv, Name string
}

func (f FuncRef) String() string {
	if f.Recv == "" {
		return f.Pkg + "." + f.Name
	}
	return f.Pkg + "." + f.Recv + "." + f.Name
}

// ProgramFacts is what MatchProgram needs of one package.
type ProgramFacts struct {
	Fresh    []FreshFunc  // functions returning a new pool per call
	Forwards []Forward    // results that are what an interface call returned
	Stored   []StoredFunc // functions stored in struct fields
}

func (*ProgramFacts) AFact() {}

func (p *ProgramFacts) String() string {
	return fmt.Sprintf("program(fresh %d, forwards %d, stored %d)", len(p.Fresh), len(p.Forwards), len(p.Stored))
}

// FreshFunc is a function whose results at Results are new pools.
type FreshFunc struct {
	Fn      FuncRef
	Results []int
}

// Forward says that result Result of Fn is what its call of Iface.Method
// returned as result CallResult, and Fn does not keep it.
type Forward struct {
	Fn         FuncRef
	Result     int
	Iface      TypeRef
	Method     string
	CallResult int
	Chain      Chain // Fn -> ... -> the interface call
}

// StoredFunc says that the package stores Fn in field Field of the struct
// type Struct.
type StoredFunc struct {
	Struct TypeRef
	Field  string
	Fn     FuncRef
}

// ProgramDrops is the fact a whole-program driver gives a package (under
// the package's own path) before analysing it again: its functions that
// per-call functions of unrelated packages reach and drop.
type ProgramDrops struct {
	Drops []ProgramDrop
}

func (*ProgramDrops) AFact() {}

func (p *ProgramDrops) String() string { return fmt.Sprintf("programdrops(%d)", len(p.Drops)) }

// ProgramDrop is one match: Call, made per call elsewhere, may run Fn,
// whose result Result is a new pool, and drops it.
type ProgramDrop struct {
	Fn     FuncRef
	Result int
	Call   DroppedCall
}

// funcRef names fn for other packages, if it has a name they can look up.
func funcRef(fn *ssa.Function) (FuncRef, bool) {
	// A function of another package built from its types only is
	// "synthetic" too, and has no body; wrappers and thunks have one.
	if fn == nil || fn.Parent() != nil || (fn.Synthetic != "" && fn.Blocks != nil) || fn.TypeParams().Len() > 0 {
		return FuncRef{}, false
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Pkg() == nil {
		return FuncRef{}, false
	}
	recv := fn.Signature.Recv()
	if recv == nil {
		if obj.Parent() != obj.Pkg().Scope() {
			return FuncRef{}, false
		}
		return FuncRef{Pkg: obj.Pkg().Path(), Name: obj.Name()}, true
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.TypeParams().Len() > 0 || n.Obj().Parent() != n.Obj().Pkg().Scope() {
		return FuncRef{}, false
	}
	return FuncRef{Pkg: obj.Pkg().Path(), Recv: n.Obj().Name(), Name: obj.Name()}, true
}

// typeRef names a package-level named type.
func typeRef(n *types.Named) (TypeRef, bool) {
	obj := n.Obj()
	if obj.Pkg() == nil || n.TypeParams().Len() > 0 || obj.Parent() != obj.Pkg().Scope() {
		return TypeRef{}, false
	}
	return TypeRef{Pkg: obj.Pkg().Path(), Name: obj.Name()}, true
}

// exportProgramFacts publishes the package's ProgramFacts.
func (a *pkgRun) exportProgramFacts() {
	if !ExportProgramFacts {
		return
	}
	pf := new(ProgramFacts)
	for _, f := range a.res.Funcs {
		ref, ok := funcRef(f.SSA)
		if !ok || ref.Pkg != a.pass.Pkg.Path() {
			continue
		}
		if len(f.fresh) > 0 {
			ff := FreshFunc{Fn: ref}
			for _, r := range f.fresh {
				if !r.onNilOnly() {
					ff.Results = append(ff.Results, r.Result)
				}
			}
			if len(ff.Results) > 0 {
				pf.Fresh = append(pf.Fresh, ff)
			}
		}
		for _, p := range f.pendingFresh {
			c := p.call
			if c.field != nil {
				continue // a field's functions are matched through StoredFunc, not forwarded
			}
			iface, ok := typeRef(c.iface)
			if !ok {
				continue
			}
			pf.Forwards = append(pf.Forwards, Forward{Fn: ref, Result: p.result, Iface: iface, Method: c.method,
				CallResult: c.result, Chain: c.chain.prepend(funcStep(f.SSA))})
		}
	}
	pf.Stored = a.storedFuncs()
	if traceOut != nil {
		fmt.Fprintf(traceOut, "TRACE program %s: fresh=%v forwards=%v stored=%v\n", a.pass.Pkg.Path(), pf.Fresh, pf.Forwards, pf.Stored)
	}
	if len(pf.Fresh)+len(pf.Forwards)+len(pf.Stored) > 0 {
		a.pass.ExportPackageFact(pf)
	}
}

// storedFuncs lists the named functions the package stores in fields of
// package-level struct types (MvmClientFunc: client.NewFlintlockClient in
// main).
func (a *pkgRun) storedFuncs() []StoredFunc {
	var out []StoredFunc
	seen := make(map[StoredFunc]bool)
	for fa, val := range a.fieldStoresOfPackage() {
		fn, ok := stripConversions(val).(*ssa.Function)
		if !ok {
			continue
		}
		ref, ok := funcRef(fn)
		if !ok {
			continue
		}
		ptr, ok := fa.X.Type().Underlying().(*types.Pointer)
		if !ok {
			continue
		}
		n, ok := types.Unalias(ptr.Elem()).(*types.Named)
		if !ok {
			continue
		}
		owner, ok := typeRef(n)
		field := fieldOf(fa.X.Type(), fa.Field)
		if !ok || field == nil {
			continue
		}
		s := StoredFunc{Struct: owner, Field: field.Name(), Fn: ref}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// pendingFieldSites records the results of a call through a function
// stored in a struct field that no function of this package stored there
// (the wiring is in main): whole-program drivers match it against the
// functions other packages store in that field.
func (a *pkgRun) pendingFieldSites(f *Func, call *ssa.Call) {
	if !ExportProgramFacts {
		return
	}
	field := fieldVar(call.Common().Value)
	if field == nil || len(a.factories[field]) > 0 {
		return
	}
	owner := fieldOwner(call.Common().Value)
	if owner == nil {
		return
	}
	if _, ok := typeRef(owner); !ok {
		return
	}
	sig := call.Common().Signature()
	for i := 0; i < sig.Results().Len(); i++ {
		t := sig.Results().At(i).Type()
		if !mayHold(t) || isErrorType(t) {
			continue
		}
		if v := resultValue(call, i); v != nil {
			pc := &pendingCall{iface: owner, method: field.Name(), result: i, field: field, chain: Chain{dynamicStep(call, nil)}}
			f.pending = append(f.pending, &Site{Fn: f, Instr: call, Value: v, Chain: pc.chain, pending: pc})
		}
	}
}

// fieldOwner returns the named struct type whose field a function value
// was loaded from (r.MvmClientFunc: MicrovmMachineReconciler).
func fieldOwner(v ssa.Value) *types.Named {
	var x ssa.Value
	switch v := v.(type) {
	case *ssa.UnOp:
		fa, ok := v.X.(*ssa.FieldAddr)
		if !ok {
			return nil
		}
		x = fa.X
	case *ssa.Field:
		x = v.X
	default:
		return nil
	}
	t := x.Type()
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

// matchProgramDrops turns the ProgramDrops a whole-program driver gave
// this package into RemoteDrops, reported like those found through the
// package's own imports.
func (a *pkgRun) matchProgramDrops() {
	pd := new(ProgramDrops)
	if !a.pass.ImportPackageFact(a.pass.Pkg, pd) {
		return
	}
	for _, d := range pd.Drops {
		fn := a.lookupFunc(d.Fn)
		if fn == nil {
			continue
		}
		g := a.funcOf(fn)
		if g == nil {
			continue
		}
		a.summarize(g)
		for _, r := range g.fresh {
			if r.Result == d.Result && !r.onNilOnly() {
				a.res.RemoteDrops = append(a.res.RemoteDrops, &RemoteDrop{Fn: g, Fresh: r, Origin: g.freshPos[r.Result], Call: d.Call})
				break
			}
		}
	}
}

// lookupFunc finds the SSA function of this package that ref names.
func (a *pkgRun) lookupFunc(ref FuncRef) *ssa.Function {
	if ref.Pkg != a.pass.Pkg.Path() || a.res.Pkg == nil {
		return nil
	}
	scope := a.pass.Pkg.Scope()
	if ref.Recv == "" {
		fn, _ := scope.Lookup(ref.Name).(*types.Func)
		if fn == nil {
			return nil
		}
		return a.res.Pkg.Prog.FuncValue(fn)
	}
	tn, ok := scope.Lookup(ref.Recv).(*types.TypeName)
	if !ok {
		return nil
	}
	ms := a.res.Pkg.Prog.MethodSets.MethodSet(types.NewPointer(tn.Type()))
	sel := ms.Lookup(a.pass.Pkg, ref.Name)
	if sel == nil {
		return nil
	}
	return a.res.Pkg.Prog.MethodValue(sel)
}

// ProgramPackage is one analysed package as MatchProgram sees it.
type ProgramPackage struct {
	Path    string
	Dropped *DroppedCalls // nil: none
	Facts   *ProgramFacts // nil: none
	// Deps holds the paths of every package it depends on, directly or
	// not, and its own: what its own analysis already matched against.
	Deps map[string]bool
}

// maxForwards bounds how many interfaces a dropped value is followed
// through (handler -> client factory -> RPC factory is one forward).
const maxForwards = 3

// MatchProgram matches every dropped call of pkgs against the
// implementations and stored functions of all of them, and returns, by
// the path of the package that must report them, the matches that
// package's own analysis could not see. typesOf returns a package's
// types, all from one universe (export data read into one map), or nil.
func MatchProgram(pkgs []*ProgramPackage, typesOf func(path string) *types.Package) map[string]*ProgramDrops {
	byPath := make(map[string]*ProgramPackage)
	for _, p := range pkgs {
		byPath[p.Path] = p
	}
	m := &programMatch{byPath: byPath, typesOf: typesOf, out: make(map[string]*ProgramDrops), seen: make(map[matchKey]bool)}
	for _, p := range pkgs {
		if p.Dropped == nil {
			continue
		}
		for _, c := range p.Dropped.Calls {
			m.resolve(p.Path, c, c.Iface, c.Method, c.Result, c.Field, c.Chain, 0)
		}
	}
	for _, d := range m.out {
		sort.Slice(d.Drops, func(i, j int) bool { return d.Drops[i].Call.At.less(d.Drops[j].Call.At) })
	}
	return m.out
}

type programMatch struct {
	byPath  map[string]*ProgramPackage
	typesOf func(string) *types.Package
	out     map[string]*ProgramDrops
	seen    map[matchKey]bool
}

type matchKey struct {
	at     SourcePos
	fn     FuncRef
	result int
}

// resolve finds what the call of iface.method (or of the function field
// method of struct iface) may run, for the dropped call c made in package
// caller.
func (m *programMatch) resolve(caller string, c DroppedCall, iface TypeRef, method string, result int, field bool, chain Chain, depth int) {
	if field {
		for _, p := range m.byPath {
			if p.Facts == nil || p.Path == caller {
				continue // the caller's package resolved its own stores
			}
			for _, s := range p.Facts.Stored {
				if s.Struct == iface && s.Field == method {
					m.reach(caller, c, s.Fn, result, chain, depth)
				}
			}
		}
		return
	}
	ip := m.typesOf(iface.Pkg)
	if ip == nil {
		return
	}
	tn, ok := ip.Scope().Lookup(iface.Name).(*types.TypeName)
	if !ok {
		return
	}
	it, ok := tn.Type().Underlying().(*types.Interface)
	if !ok {
		return
	}
	for _, p := range m.byPath {
		if p.Facts == nil {
			continue
		}
		// The implementation's own analysis matched what its imports
		// dropped, unless a second interface stood between.
		seenByImpl := depth == 0 && p.Deps[caller] && p.Deps[iface.Pkg]
		if seenByImpl {
			continue
		}
		for _, ref := range m.methodsOf(p, method) {
			if m.implements(ref, it) {
				m.reach(caller, c, ref, result, chain, depth)
			}
		}
	}
}

// methodsOf lists the methods named name that p's facts mention.
func (m *programMatch) methodsOf(p *ProgramPackage, name string) []FuncRef {
	var out []FuncRef
	seen := make(map[FuncRef]bool)
	add := func(ref FuncRef) {
		if ref.Recv != "" && ref.Name == name && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	for _, f := range p.Facts.Fresh {
		add(f.Fn)
	}
	for _, f := range p.Facts.Forwards {
		add(f.Fn)
	}
	return out
}

// implements reports whether the receiver type of ref, or a pointer to
// it, implements it.
func (m *programMatch) implements(ref FuncRef, it *types.Interface) bool {
	tp := m.typesOf(ref.Pkg)
	if tp == nil {
		return false
	}
	tn, ok := tp.Scope().Lookup(ref.Recv).(*types.TypeName)
	if !ok || types.IsInterface(tn.Type()) {
		return false
	}
	return types.Implements(tn.Type(), it) || types.Implements(types.NewPointer(tn.Type()), it)
}

// reach follows a call that may run fn and drop its result result: a
// fresh pool there is a match; a result fn only forwards from another
// interface call is followed there.
func (m *programMatch) reach(caller string, c DroppedCall, fn FuncRef, result int, chain Chain, depth int) {
	p := m.byPath[fn.Pkg]
	if p == nil || p.Facts == nil {
		return
	}
	for _, f := range p.Facts.Fresh {
		if f.Fn != fn || !slices.Contains(f.Results, result) {
			continue
		}
		key := matchKey{c.At, fn, result}
		if m.seen[key] {
			return
		}
		m.seen[key] = true
		call := c
		call.Chain = append(append(Chain(nil), chain...), Step{Pkg: pkgName(m.typesOf(fn.Pkg)), Name: refName(fn)})
		d := m.out[fn.Pkg]
		if d == nil {
			d = new(ProgramDrops)
			m.out[fn.Pkg] = d
		}
		d.Drops = append(d.Drops, ProgramDrop{Fn: fn, Result: result, Call: call})
		return
	}
	if depth >= maxForwards {
		return
	}
	for _, f := range p.Facts.Forwards {
		if f.Fn == fn && f.Result == result {
			next := append(append(Chain(nil), chain...), f.Chain...)
			m.resolve(caller, c, f.Iface, f.Method, f.CallResult, false, next, depth+1)
		}
	}
}

func pkgName(p *types.Package) string {
	if p == nil {
		return ""
	}
	return p.Name()
}

func refName(f FuncRef) string {
	if f.Recv == "" {
		return f.Name
	}
	return f.Recv + "." + f.Name
}
