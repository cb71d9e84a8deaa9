package lifetime

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/knowledge"
)

// Fate is what happens to a pool, or to a parameter, within one function:
// whether it outlives the call, is handed back to the caller, or dies with
// the call, and whether it is released on the way.
type Fate struct {
	Kept      string     // why it outlives the call; "" if it does not
	KeptField *types.Var // the receiver field it was stored in, if that is why
	KeptAt    token.Pos  // where it was stored or handed over
	Returned  []int      // results through which it (or a holder of it) leaves
	Releases  []ssa.CallInstruction
	// Used is set when the pool, or a value holding it, is called or
	// passed on: a pool that is only built and read (t.DialContext) never
	// opens a connection, and dropping it costs nothing.
	Used bool

	// MemoField is set when the pool merges with a nil-checked load of a
	// receiver field or package variable that it is never written back to:
	// broken memoisation. MemoName says which, for messages.
	MemoField types.Object
	MemoName  string

	// Held lists the struct fields of local values that the pool was
	// stored in: &Service{client: c} makes Service.client its holder.
	Held []Holding

	// ReleaseStored is set when a release method of the pool is taken as
	// a method value (d.finalizer = t.CloseIdleConnections): whoever holds
	// it releases the pool by calling it.
	ReleaseStored bool

	// keptInParam: a function literal stored the pool into one of its own
	// parameters, as a functional option does to the value it configures.
	keptInParam bool

	// Conditional is set when the pool merges with a value the caller
	// passed in (an optional client): it is fresh only on some calls.
	// Read it through Cond, which counts OrNilParam too.
	Conditional bool

	// OrNilParam is 1 + the index of the parameter the pool stands in
	// for when the caller passes nil (docker's NewClient(host, version,
	// nil, headers) making a transport of its own): 0 when there is none.
	// Its function's summary says the pool is made only for a nil argument
	// (Given.WhenNil).
	OrNilParam int

	// FreshKey is set when the pool is stored in a map under a key made
	// new on every call: kept, but once per call.
	FreshKey bool

	// MergesShared names the package-level value (http.DefaultClient)
	// that stands where the pool would on other paths.
	MergesShared string

	// IdentityKey is set when the pool is cached in a map under an
	// interface value the caller passed, while what it connects to is a
	// method of that value (lindb's connMap[target] dialling
	// target.Indicator()): the key compares the whole value, so a caller's
	// new value for the same target misses and connects again. It names
	// the method call to key by; IdentityOf names the parameter.
	IdentityKey, IdentityOf string

	// SometimesKeptBy names the callee that keeps the pool on some of its
	// paths only and drops it on another (KeepsSometimes): the pool is
	// not kept here, and dropped whenever that path runs.
	SometimesKeptBy Step

	// keptIn lists the blocks of every use that keeps the pool, for a
	// walk that does not stop at the first: KeepsSometimes looks for a
	// normal return that avoids them all.
	keptIn []*ssa.BasicBlock

	// Overwrites names the package-level value (http.DefaultClient.Transport)
	// the pool is stored into with no check of what it holds and on no
	// condition but error checks: kept, but replaced on every call, and
	// the pool it replaces is never closed.
	Overwrites string
}

// Holding is a struct field that holds a pool.
type Holding struct {
	Owner *types.Named
	Field *types.Var
	// CallersToo: on some path the field gets the caller's own value
	// instead (a round tripper decorating the one it is given, or the new
	// transport made only with TLS): the holder wraps what it is handed.
	CallersToo bool
}

// Cond reports whether the pool is made only on some calls: it merges
// with a value the caller passed in.
func (f *Fate) Cond() bool { return f.Conditional || f.OrNilParam > 0 }

// Dropped reports whether the pool dies with the call.
func (f *Fate) Dropped() bool { return f.Kept == "" && len(f.Returned) == 0 }

// Released reports whether any release of the pool was seen.
func (f *Fate) Released() bool { return len(f.Releases) > 0 }

// An item is a value that holds the pool at the given access path.
// Pointers are transparent: a pointer and the variable it points to hold
// the pool at the same path.
type item struct {
	v    ssa.Value
	path accessPath
	part bool // a component of the pool (t.TLSClientConfig): only its release counts
}

// fateOf follows the uses of v (which holds a pool at path) through fn.
func (a *pkgRun) fateOf(fn *ssa.Function, v ssa.Value, path accessPath) *Fate {
	return a.walk(fn, v, path, true)
}

// implsRelease reports whether every type of this package that
// implements the interface method m (at least one) releases, in it, a pool
// its receiver holds: containerd's shimTask calling its embedded
// ShimInstance's Delete, whose only implementation closes the connection.
func (a *pkgRun) implsRelease(m *types.Func) bool {
	if done, ok := a.implRelease[m]; ok {
		return done
	}
	a.implRelease[m] = false // a cycle back here sees no release
	ok := false
	for _, fn := range a.implementations(m, true) {
		if fn.Synthetic != "" {
			continue // a promoted method forwards to one counted on its own
		}
		ok = true
		if !a.releasesOwnPool(fn) {
			ok = false
			break
		}
	}
	a.implRelease[m] = ok
	if traceOut != nil {
		fmt.Fprintf(traceOut, "TRACE implsRelease %s: %v (%d impls)\n", m.FullName(), ok, len(a.implementations(m, true)))
	}
	return ok
}

// releasesOwnPool reports whether method fn releases a pool held in a
// field of its receiver on some path.
func (a *pkgRun) releasesOwnPool(fn *ssa.Function) bool {
	recv, st := receiverStruct(fn)
	if st == nil {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if mayHold(st.Field(i).Type()) && a.releasedSomewhere(fn, recv, accessPath{}.under(i)) {
			return true
		}
	}
	return false
}

// releasedSomewhere reports whether fn releases v (at path) on any path,
// even one after another keeps it: a pool's release of a handle it may
// also keep for reuse.
func (a *pkgRun) releasedSomewhere(fn *ssa.Function, v ssa.Value, path accessPath) bool {
	return a.walk(fn, v, path, false).Released()
}

// walk follows v; stopAtKeep ends the walk at the first use that keeps it.
func (a *pkgRun) walk(fn *ssa.Function, v ssa.Value, path accessPath, stopAtKeep bool) *Fate {
	f := new(Fate)
	w := &walker{a: a, fn: fn, fate: f, seen: make(map[item]bool)}
	switch m := v.(type) {
	case *ssa.Call:
		w.made = m
	case *ssa.Extract:
		w.made, _ = m.Tuple.(*ssa.Call)
	}
	w.push(item{v: v, path: path})
	for len(w.work) > 0 && (f.Kept == "" || !stopAtKeep) {
		it := w.work[len(w.work)-1]
		w.work = w.work[:len(w.work)-1]
		refs := it.v.Referrers()
		if refs == nil {
			continue
		}
		for _, instr := range *refs {
			w.cur = instr
			w.step(it, instr)
			if f.Kept != "" && stopAtKeep {
				break
			}
		}
	}
	return f
}

type walker struct {
	a    *pkgRun
	fn   *ssa.Function
	fate *Fate
	seen map[item]bool
	work []item
	// made is the call that made the pool, when the walk starts at its
	// result: what it was given says what the pool is for.
	made *ssa.Call
	// cur is the instruction being stepped, whose block a keep records.
	cur ssa.Instruction
}

func (w *walker) push(it item) {
	if it.v == nil || w.seen[it] || it.path.tooLong() {
		return
	}
	w.seen[it] = true
	w.work = append(w.work, it)
}

func (w *walker) keep(why string, at token.Pos) {
	if w.fate.Kept == "" {
		w.fate.Kept = why
		w.fate.KeptAt = at
	}
	if w.cur != nil && w.cur.Block() != nil {
		w.fate.keptIn = append(w.fate.keptIn, w.cur.Block())
	}
}

// mayHold reports whether a value of type t can hold a pool at all; loads
// of strings and numbers are not worth following.
func mayHold(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Kind() == types.UnsafePointer
	case *types.Signature:
		return false
	}
	return true
}

func (w *walker) step(it item, instr ssa.Instruction) {
	x, path := it.v, it.path
	switch in := instr.(type) {
	case *ssa.Store:
		if in.Val == x && !it.part {
			w.store(in, path)
		}
	case *ssa.UnOp:
		if in.Op == token.MUL && (mayHold(in.Type()) || path.empty() && isFunc(in.Type())) && (!path.empty() || isPointerTo(x.Type())) {
			// A load through a holder gives back what it holds. A load
			// of *t where t is the pool copies the struct: not followed.
			if path.empty() && w.isPoolValue(in.Type()) {
				return
			}
			w.push(item{v: in, path: path, part: it.part})
		}
	case *ssa.FieldAddr:
		w.field(it, in, in.Field)
	case *ssa.Field:
		w.field(it, in, in.Field)
	case *ssa.IndexAddr, *ssa.Index, *ssa.Lookup:
		// Elements are transparent too: a slice holds what its elements hold.
		w.push(item{v: in.(ssa.Value), path: path, part: it.part})
	case *ssa.MakeInterface, *ssa.ChangeType, *ssa.ChangeInterface, *ssa.Convert,
		*ssa.SliceToArrayPointer, *ssa.Slice, *ssa.Extract, *ssa.TypeAssert, *ssa.MultiConvert:
		w.push(item{v: in.(ssa.Value), path: path, part: it.part})
	case *ssa.Phi:
		if !it.part {
			w.merge(in, x)
		}
		w.push(item{v: in, path: path, part: it.part})
	case *ssa.Return:
		if it.part {
			return
		}
		for i, r := range in.Results {
			if r == x && !containsInt(w.fate.Returned, i) {
				w.fate.Returned = append(w.fate.Returned, i)
			}
		}
	case *ssa.MapUpdate:
		if !it.part && (in.Value == x || in.Key == x) {
			if in.Value == x && freshKey(in.Key, 0) {
				// A store keyed by something new on every call (a random
				// ticket) is no cache: each call adds a pool.
				w.fate.FreshKey, w.fate.Used = true, true
				return
			}
			if in.Value == x && !it.part {
				if key, method := w.identityKey(in.Key); key != nil {
					w.fate.IdentityKey = key.Name() + "." + method + "()"
					w.fate.IdentityOf = key.Name()
				}
			}
			w.keep("stored in a map", in.Pos())
		}
	case *ssa.Send:
		if !it.part && in.X == x {
			w.keep("sent on a channel", in.Pos())
		}
	case *ssa.Select:
		if !it.part {
			for _, st := range in.States {
				if st.Send == x {
					w.keep("sent on a channel", in.Pos())
				}
			}
		}
	case *ssa.Panic:
		if !it.part {
			w.keep("passed to panic", in.Pos())
		}
	case *ssa.MakeClosure:
		w.closure(it, in)
	case ssa.CallInstruction:
		w.call(it, in)
	}
}

// isFunc reports whether t is a function type: loading the field that
// holds a literal capturing the pool gives the literal back, to be called.
func isFunc(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

func isPointerTo(t types.Type) bool {
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

// isPoolValue reports whether t is a pool struct type itself (not a pointer).
func (w *walker) isPoolValue(t types.Type) bool {
	_, ok := w.a.cfg.Catalog.PoolType(t)
	return ok
}

// field follows access to field idx of x. Reading the field that holds the
// pool gives it back; the pool's own fields are components whose release
// still counts (rc.HTTPClient.CloseIdleConnections()).
func (w *walker) field(it item, v ssa.Value, idx int) {
	head, rest := it.path.head()
	switch {
	case it.path.empty():
		if mayHold(v.Type()) {
			w.push(item{v: v, part: true})
		}
	case head == anyField:
		if mayHold(v.Type()) {
			w.push(item{v: v, path: it.path, part: it.part})
		}
	case head == idx:
		w.push(item{v: v, path: rest, part: it.part})
	}
}

// store handles the pool (at path) being written to addr.
func (w *walker) store(in *ssa.Store, path accessPath) {
	root, steps := rootOf(in.Addr)
	for i := len(steps) - 1; i >= 0; i-- {
		path = path.under(steps[i])
	}
	switch r := root.(type) {
	case *ssa.Alloc:
		// A local variable or a local struct: it now holds the pool.
		if len(steps) > 0 {
			if h, ok := holding(r.Type(), steps[len(steps)-1]); ok {
				h.CallersToo = w.a.mayBeCallers(w.fn, in.Val, 0)
				w.fate.Held = append(w.fate.Held, h)
			}
		}
		w.push(item{v: r, path: path})
	case *ssa.Global:
		why := "stored in package-level variable " + r.Name()
		w.keep(why, in.Pos())
		if w.fate.Kept == why && w.fn.Parent() == nil && !globalChecked(w.fn, r) && onlyErrorChecksReach(in.Block()) {
			w.fate.Overwrites = globalPath(w.fn, r, steps)
		}
	case *ssa.Parameter:
		w.keep("stored in "+describeField(r, steps), in.Pos())
		w.fate.keptInParam = w.fn.Parent() != nil
		if len(steps) > 0 && isReceiver(w.fn, r) {
			w.fate.KeptField = fieldOf(r.Type(), steps[len(steps)-1])
		}
	case *ssa.FreeVar:
		w.keep("stored in a variable captured from "+w.fn.Parent().Name(), in.Pos())
	default:
		w.keep("stored in memory that outlives the call", in.Pos())
	}
}

// identityKey returns the parameter a map key is, and the method of it
// that the call making the pool was given, when the key is an interface
// value the caller passed: keyed by the whole value, connected by one
// method of it.
func (w *walker) identityKey(key ssa.Value) (*ssa.Parameter, string) {
	p, ok := stripConversions(key).(*ssa.Parameter)
	if !ok || w.made == nil || isReceiver(w.fn, p) || !types.IsInterface(p.Type()) {
		return nil, ""
	}
	for _, arg := range w.made.Call.Args {
		if c, ok := arg.(*ssa.Call); ok && c.Call.IsInvoke() && c.Call.Value == p && len(c.Call.Args) == 0 {
			return p, c.Call.Method.Name()
		}
	}
	return nil, ""
}

// globalChecked reports whether fn compares anything it loads from g, or
// hands a field of g to a call: a lazy fill, a rebuild on change, the old
// value closed or swapped out, not a blind overwrite.
func globalChecked(fn *ssa.Function, g *ssa.Global) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if bin, ok := instr.(*ssa.BinOp); ok && (bin.Op == token.EQL || bin.Op == token.NEQ) {
				for _, x := range []ssa.Value{bin.X, bin.Y} {
					if l, ok := stripConversions(x).(*ssa.UnOp); ok && l.Op == token.MUL {
						if r, _ := rootOf(l.X); r == g {
							return true
						}
					}
					if f, ok := stripConversions(x).(*ssa.Field); ok {
						if r, _ := rootOf(f); r == g {
							return true
						}
					}
				}
			}
			if call, ok := instr.(ssa.CallInstruction); ok {
				// A lock held around the write, or the old value handed
				// on (CloseIdleConnections on it, a swap).
				for _, arg := range call.Common().Args {
					if l, ok := stripConversions(arg).(*ssa.UnOp); ok && l.Op == token.MUL {
						if r, st := rootOf(l.X); r == g && len(st) > 0 {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// onlyErrorChecksReach reports whether every condition that decides if
// block b runs is an error check: b runs on every call that does not
// fail first.
func onlyErrorChecksReach(b *ssa.BasicBlock) bool {
	for blk := b; blk.Idom() != nil; blk = blk.Idom() {
		idom := blk.Idom()
		cond, ok := idom.Instrs[len(idom.Instrs)-1].(*ssa.If)
		if !ok || len(idom.Succs) != 2 {
			continue
		}
		if reaches(idom.Succs[0], b) && reaches(idom.Succs[1], b) {
			continue
		}
		if !isErrorCheck(cond.Cond) {
			return false
		}
	}
	return true
}

// reaches reports whether block to can run after block from.
func reaches(from, to *ssa.BasicBlock) bool {
	return reachesAvoiding([]*ssa.BasicBlock{from}, to, nil)
}

// reachesAvoiding reports whether block to can be reached from any of
// starts without passing through avoid.
func reachesAvoiding(starts []*ssa.BasicBlock, to, avoid *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{avoid: true}
	stack := append([]*ssa.BasicBlock(nil), starts...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == to {
			return true
		}
		if seen[b] {
			continue
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	return false
}

// isErrorCheck reports whether cond is err != nil or err == nil.
func isErrorCheck(cond ssa.Value) bool {
	bin, ok := cond.(*ssa.BinOp)
	if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) {
		return false
	}
	for _, pair := range [][2]ssa.Value{{bin.X, bin.Y}, {bin.Y, bin.X}} {
		if c, ok := pair[1].(*ssa.Const); ok && c.IsNil() && isError(pair[0].Type()) {
			return true
		}
	}
	return false
}

// globalPath names a package-level variable and the fields under it, as
// code in fn would write them: http.DefaultClient.Transport.
func globalPath(fn *ssa.Function, g *ssa.Global, steps []int) string {
	name := g.Name()
	if g.Pkg != nil && g.Pkg != fn.Pkg {
		name = g.Pkg.Pkg.Name() + "." + name
	}
	t := g.Type().(*types.Pointer).Elem()
	for i := len(steps) - 1; i >= 0; i-- {
		f := fieldOf(t, steps[i])
		if f == nil {
			break
		}
		name += "." + f.Name()
		t = f.Type()
	}
	return name
}

// mayBeCallers reports whether v may be, on some path, a value fn's
// caller passed in: a parameter other than the receiver, through merges,
// conversions and calls that hand an argument back (guardDialer(base)
// returning base when it is no *http.Transport).
func (a *pkgRun) mayBeCallers(fn *ssa.Function, v ssa.Value, depth int) bool {
	if depth > 8 {
		return false
	}
	switch x := stripConversions(v).(type) {
	case *ssa.Parameter:
		return !isReceiver(fn, x)
	case *ssa.Phi:
		for _, e := range x.Edges {
			if a.mayBeCallers(fn, e, depth+1) {
				return true
			}
		}
	case *ssa.TypeAssert:
		return a.mayBeCallers(fn, x.X, depth+1)
	case *ssa.Extract:
		if call, ok := x.Tuple.(*ssa.Call); ok {
			return a.handsBackCallers(fn, call, x.Index, depth)
		}
	case *ssa.Call:
		return a.handsBackCallers(fn, x, 0, depth)
	}
	return false
}

// handsBackCallers reports whether result i of call may be an argument
// that is itself the caller's value.
func (a *pkgRun) handsBackCallers(fn *ssa.Function, call *ssa.Call, i int, depth int) bool {
	callee := call.Call.StaticCallee()
	if callee == nil {
		return false
	}
	for j, arg := range call.Call.Args {
		if !a.mayBeCallers(fn, arg, depth+1) {
			continue
		}
		if use, result := a.paramUse(callee, j, j == 0 && callee.Signature.Recv() != nil); use == Wraps && result == i {
			return true
		}
	}
	return false
}

// rootOf walks an address back to the variable it is part of, returning
// the field steps from that variable down to the address.
func rootOf(addr ssa.Value) (ssa.Value, []int) {
	var steps []int
	for i := 0; i < 16; i++ {
		switch a := addr.(type) {
		case *ssa.FieldAddr:
			steps = append(steps, a.Field)
			addr = a.X
		case *ssa.IndexAddr:
			addr = a.X
		case *ssa.UnOp:
			if a.Op != token.MUL {
				return addr, steps
			}
			if p := boxedParam(a.X); p != nil {
				// *box, where box only ever holds parameter p (SSA
				// boxes a parameter a closure captures): the pointer
				// loaded is p itself.
				return p, steps
			}
			addr = a.X
		case *ssa.Field:
			steps = append(steps, a.Field)
			addr = a.X
		default:
			return addr, steps
		}
	}
	return addr, steps
}

// boxedParam returns the parameter that v, a local variable, holds when
// the only values ever stored in it are that parameter: the variable SSA
// makes for a parameter that a function literal captures.
func boxedParam(v ssa.Value) *ssa.Parameter {
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var param *ssa.Parameter
	for _, ref := range *alloc.Referrers() {
		st, ok := ref.(*ssa.Store)
		if !ok || st.Addr != alloc {
			continue
		}
		p, ok := st.Val.(*ssa.Parameter)
		if !ok || (param != nil && p != param) {
			return nil
		}
		param = p
	}
	return param
}

func isReceiver(fn *ssa.Function, p *ssa.Parameter) bool {
	return fn.Signature.Recv() != nil && len(fn.Params) > 0 && fn.Params[0] == p
}

// holding names the field idx of the named struct t points to.
func holding(t types.Type, idx int) (Holding, bool) {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	f := fieldOf(t, idx)
	if !ok || f == nil {
		return Holding{}, false
	}
	return Holding{Owner: n, Field: f}, true
}

// fieldOf returns field idx of the struct t points to.
func fieldOf(t types.Type, idx int) *types.Var {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok || idx < 0 || idx >= st.NumFields() {
		return nil
	}
	return st.Field(idx)
}

func describeField(p *ssa.Parameter, steps []int) string {
	if len(steps) == 0 {
		return "the memory " + p.Name() + " points to"
	}
	if f := fieldOf(p.Type(), steps[len(steps)-1]); f != nil {
		return p.Name() + "." + f.Name()
	}
	return "a field of " + p.Name()
}

// merge inspects the other edges of a phi the pool flows into, to tell a
// broken memoisation (c := s.client; if c == nil { c = new }) and an
// optional pool passed in by the caller from a plain fresh one. A merge
// with anything else (another new pool, a different handler, a package's
// default picked without a nil check) leaves the pool fresh.
func (w *walker) merge(phi *ssa.Phi, from ssa.Value) {
	for _, e := range phi.Edges {
		if e == from {
			continue
		}
		if w.a.isSiteValue(w.fn, e) {
			continue // the other branch makes its own new pool
		}
		base := stripConversions(e)
		checked := nilChecked(w.fn, base)
		switch b := base.(type) {
		case *ssa.Const, *ssa.Phi:
		case *ssa.Parameter, *ssa.FreeVar:
			if p, ok := base.(*ssa.Parameter); ok && checked && !isReceiver(w.fn, p) && w.fate.OrNilParam == 0 {
				w.fate.OrNilParam = paramIndex(w.fn, p) + 1
			} else if checked || sameConcreteType(base, from) {
				w.fate.Conditional = true
			}
		case *ssa.UnOp:
			if b.Op != token.MUL {
				w.fate.Conditional = w.fate.Conditional || checked
				continue
			}
			root, steps := rootOf(b.X)
			switch r := root.(type) {
			case *ssa.Global:
				switch {
				case len(steps) == 0 && checked && r.Pkg == w.fn.Pkg:
					w.fate.MemoField, w.fate.MemoName = r.Object(), r.Name()
				case len(steps) > 0 && (checked || sameConcreteType(base, from)):
					w.fate.Conditional = true
				default:
					// Another package's variable (http.DefaultClient)
					// picked when no pool is made is no memo this code
					// can fill: the new pool stays fresh, but whoever
					// holds the value must not close the shared one.
					w.fate.MergesShared = r.Pkg.Pkg.Name() + "." + r.Name()
				}
			case *ssa.Parameter:
				if isReceiver(w.fn, r) && len(steps) > 0 && checked {
					if f := fieldOf(r.Type(), steps[len(steps)-1]); f != nil {
						w.fate.MemoField, w.fate.MemoName = f, r.Name()+"."+f.Name()
						continue
					}
				}
				// The caller's own client, passed in, standing where the
				// new one would. A receiver's field picked on the other
				// branch of an unrelated condition (client := g.hc; if
				// g.tls != nil { client = new }) is not: when the new one
				// is made, it is made on every call.
				if checked || (!isReceiver(w.fn, r) && sameConcreteType(base, from)) {
					w.fate.Conditional = true
				}
			default:
				if checked || sameConcreteType(base, from) {
					w.fate.Conditional = true
				}
			}
		default:
			if checked {
				w.fate.Conditional = true
			}
		}
	}
}

// stripConversions walks back through the conversions that keep a value
// what it is: to an interface, between named types.
func stripConversions(v ssa.Value) ssa.Value {
	for i := 0; i < 8; i++ {
		switch c := v.(type) {
		case *ssa.MakeInterface:
			v = c.X
		case *ssa.ChangeInterface:
			v = c.X
		case *ssa.ChangeType:
			v = c.X
		default:
			return v
		}
	}
	return v
}

// sameConcreteType reports whether the two values have one concrete type:
// the caller's own client standing where the new one would.
func sameConcreteType(a, b ssa.Value) bool {
	ta, tb := stripConversions(a).Type(), stripConversions(b).Type()
	if types.IsInterface(ta) || types.IsInterface(tb) {
		return false
	}
	return types.Identical(ta, tb)
}

// nilChecked reports whether fn compares v with nil, or, for a load, any
// load of the same variable or field: what "if x == nil { x = new }" does.
func nilChecked(fn *ssa.Function, v ssa.Value) bool {
	load, isLoad := v.(*ssa.UnOp)
	var root ssa.Value
	var steps []int
	if isLoad && load.Op == token.MUL {
		root, steps = rootOf(load.X)
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			bin, ok := instr.(*ssa.BinOp)
			if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) {
				continue
			}
			for _, pair := range [][2]ssa.Value{{bin.X, bin.Y}, {bin.Y, bin.X}} {
				if c, ok := pair[1].(*ssa.Const); !ok || !c.IsNil() {
					continue
				}
				x := stripConversions(pair[0])
				if x == v {
					return true
				}
				if l, ok := x.(*ssa.UnOp); ok && root != nil && l.Op == token.MUL {
					if r, st := rootOf(l.X); r == root && equalSteps(st, steps) {
						return true
					}
				}
			}
		}
	}
	return false
}

func equalSteps(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// isSiteValue reports whether v is a pool that fn itself creates.
func (a *pkgRun) isSiteValue(fn *ssa.Function, v ssa.Value) bool {
	f := a.funcOf(fn)
	if f == nil {
		return false
	}
	v = stripConversions(v)
	for _, s := range f.Sites {
		if s.Value == v {
			return true
		}
	}
	return false
}

// closure handles a function literal that captures the pool: what the
// literal does with it counts, and so does what happens to the literal.
func (w *walker) closure(it item, mc *ssa.MakeClosure) {
	anon := mc.Fn.(*ssa.Function)
	if strings.HasSuffix(anon.Name(), "$bound") && w.a.cfg.IsReleaseName(strings.TrimSuffix(anon.Name(), "$bound")) {
		// conn.Close as a method value (c.close = conn.Close): the
		// release is spelled as a stored function, to be called later.
		w.fate.ReleaseStored = true
		return
	}
	for i, b := range mc.Bindings {
		if b != it.v || i >= len(anon.FreeVars) {
			continue
		}
		inner := w.a.fateOf(anon, anon.FreeVars[i], it.path)
		if it.part {
			w.fate.Releases = append(w.fate.Releases, inner.Releases...)
			continue
		}
		if inner.Kept != "" && !inner.keptInParam {
			w.keep(inner.Kept, inner.KeptAt)
			return
		}
		if len(inner.Returned) > 0 {
			w.keep("returned by a function literal", mc.Pos())
			return
		}
		for _, r := range inner.Releases {
			// A release inside a deferred or called literal releases.
			w.fate.Releases = append(w.fate.Releases, r)
		}
	}
	if it.part {
		return
	}
	// The literal now holds the pool: what happens to it happens to the
	// pool. A functional option (func(*T) { t.client = c }) that is
	// returned, or passed to a constructor that only applies it, hands the
	// pool on rather than keeping it.
	w.push(item{v: mc, path: somewhereInside})
}

// call handles the pool flowing into a call: as the receiver, as an
// argument, or through a builtin.
func (w *walker) call(it item, call ssa.CallInstruction) {
	x := it.v
	common := call.Common()
	if b, ok := common.Value.(*ssa.Builtin); ok {
		switch b.Name() {
		case "append", "ssa:wrapnilchk":
			if v := call.Value(); v != nil {
				w.push(item{v: v, path: it.path, part: it.part})
			}
		case "copy":
			if !it.part && len(common.Args) > 1 && common.Args[1] == x {
				w.keep("copied by copy()", call.Pos())
			}
		}
		return
	}
	configures := configuresOnly(common.StaticCallee())
	if !it.part && !configures && (common.Value == x || containsValue(common.Args, x)) {
		w.fate.Used = true
	}
	if common.IsInvoke() {
		if common.Value == x {
			if w.a.cfg.IsReleaseName(common.Method.Name()) || (!it.part && w.a.implsRelease(common.Method)) {
				w.fate.Releases = append(w.fate.Releases, call)
			} else if v := call.Value(); v != nil && !it.part && w.a.holdsPool(v.Type()) {
				// A getter of the holder's interface handing back a
				// client (e.prom.HTTPClient()): closing what it returns
				// releases the pool the holder keeps (go.d.plugin).
				w.push(item{v: v, path: somewhereInside})
			}
			return
		}
		if !it.part && containsValue(common.Args, x) && !comparisonMethods[common.Method.Name()] {
			w.keep("passed to "+common.Method.Name()+" through an interface", call.Pos())
		}
		return
	}
	callee := common.StaticCallee()
	if callee == nil {
		if common.Value == x && !it.part && w.a.storedLiteralReleases(x) {
			// c.close(ctx), where close holds a literal that closes the
			// connection it captured (terraform's rpcapi.Client).
			w.fate.Releases = append(w.fate.Releases, call)
		}
		// Calling a functional option that holds the pool only uses it
		// here: constructors whose result keeps what their options hold
		// are data (knowledge.WrapsArgument, mcp-go's NewStreamableHTTP).
		// Following the option into the value it configures would make
		// every library that passes that value on, unanalysed, keep it.
		if !it.part && containsValue(common.Args, x) && !callersOption(common.Value) {
			w.keep("passed to a function value", call.Pos())
		}
		return
	}
	for i, arg := range common.Args {
		if arg != x {
			continue
		}
		recv := i == 0 && callee.Signature.Recv() != nil
		// Closing the pool, a holder of it (client.CloseIdleConnections)
		// or a part of it (rc.HTTPClient.CloseIdleConnections) releases it.
		if recv && w.a.cfg.IsReleaseName(callee.Name()) {
			w.fate.Releases = append(w.fate.Releases, call)
			continue
		}
		if it.part {
			continue
		}
		if callee == w.fn && i < len(w.fn.Params) && x == w.fn.Params[i] {
			// A call to itself with the same parameter in the same place
			// does with it what this walk finds (a recursive method on its
			// receiver): no more, and not "keeps".
			continue
		}
		if !recv && isOptionType(arg.Type()) {
			// The constructor applies the options to the value it returns
			// (knowledge.OptionTypes): that value keeps the pool.
			if v := resultValue(call, 0); v != nil && !isError(v.Type()) {
				w.push(item{v: v, path: somewhereInside})
				continue
			}
		}
		use, result := w.a.paramUse(callee, i, recv)
		switch use {
		case Keeps:
			if holder := freshHolder(w.a.pass.Pkg, callee, common.Args); holder != nil && w.a.funcOf(callee) == nil {
				// reg.MustRegister(collector) on a registry this function
				// made (prometheus.NewRegistry()): the pool lives as long
				// as the registry, whose own fate decides
				// (elasticsearch_exporter's probe handler).
				w.push(item{v: holder, path: somewhereInside})
				continue
			}
			w.keep("passed to "+funcStep(callee).String()+", which keeps it", call.Pos())
			return
		case KeepsSometimes:
			if w.fate.SometimesKeptBy.Name == "" {
				w.fate.SometimesKeptBy = funcStep(callee)
			}
		case Releases:
			w.fate.Releases = append(w.fate.Releases, call)
		case Uses:
			if configures {
				// http2.ConfigureTransports(t1) hands back an HTTP/2
				// transport on t1's connections: using it uses the pool.
				w.pushPoolResults(call)
			}
		case Wraps:
			if v := resultValue(call, result); v != nil {
				w.push(item{v: v, path: somewhereInside})
			}
		}
	}
}

// isOptionType reports whether t is a client library's option type
// (knowledge.OptionTypes), or a slice of them.
func isOptionType(t types.Type) bool {
	if sl, ok := t.Underlying().(*types.Slice); ok {
		t = sl.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	_, ok = knowledge.OptionTypes[n.Obj().Pkg().Path()+"."+n.Obj().Name()]
	return ok
}

// isError reports whether t is the error interface.
func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// callersOption reports whether v is a function value the caller gave, a
// parameter or an element of one (for _, opt := range opts { opt(c) }):
// a constructor applying its caller's options to the value it returns
// (mcp-go's client.NewClient) hands that value on, it does not keep it.
func callersOption(v ssa.Value) bool {
	for {
		switch x := v.(type) {
		case *ssa.Parameter:
			return true
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return false
			}
			v = x.X
		case *ssa.IndexAddr:
			v = x.X
		case *ssa.Index:
			v = x.X
		default:
			return false
		}
	}
}

// freshHolder returns the receiver of a method call when this function
// made it itself, with new(T), a composite literal or another package's
// NewT constructor: what the method keeps, it keeps in a value whose fate
// this function decides. nil for any other receiver (a field, a
// parameter, a package variable: the pool would outlive the call).
func freshHolder(pkg *types.Package, callee *ssa.Function, args []ssa.Value) ssa.Value {
	if callee.Signature.Recv() == nil || len(args) == 0 {
		return nil
	}
	switch h := stripConversions(args[0]).(type) {
	case *ssa.Alloc:
		if h.Heap {
			return h
		}
	case *ssa.Call:
		if ctor := h.Call.StaticCallee(); ctor != nil && ctor.Signature.Recv() == nil && ctor.Pkg != nil && ctor.Pkg.Pkg != pkg &&
			strings.HasPrefix(ctor.Name(), "New") && isPointerTo(h.Type()) {
			return h
		}
	}
	return nil
}

// storedLiteralReleases reports whether fn, a function loaded from a struct
// field, is a function literal of this package stored in that field that
// releases a pool it captured.
func (a *pkgRun) storedLiteralReleases(fn ssa.Value) bool {
	field := fieldVar(fn)
	if field == nil {
		return false
	}
	for _, g := range a.factories[field] {
		if g.Parent() == nil {
			continue
		}
		for _, fv := range g.FreeVars {
			if mayHold(fv.Type()) && a.fateOf(g, fv, accessPath{}).Released() {
				return true
			}
		}
	}
	return false
}

// configuresOnly reports whether callee is one of the functions that
// configure a pool without keeping it (knowledge.ConfiguresOnly): handing
// the pool to it opens no connection.
func configuresOnly(callee *ssa.Function) bool {
	if callee == nil {
		return false
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok || obj.Pkg() == nil {
		return false
	}
	_, only := knowledge.ConfiguresOnly[obj.Pkg().Path()+"."+obj.Name()]
	return only
}

// pushPoolResults follows the pointer results of call as holders of the
// pool; an error result holds nothing.
func (w *walker) pushPoolResults(call ssa.CallInstruction) {
	results := call.Common().Signature().Results()
	for i := 0; i < results.Len(); i++ {
		if isPointerTo(results.At(i).Type()) {
			if v := resultValue(call, i); v != nil {
				w.push(item{v: v, path: somewhereInside})
			}
		}
	}
}

// resultValue returns the SSA value of result i of a call, or nil.
func resultValue(call ssa.CallInstruction, i int) ssa.Value {
	v := call.Value()
	if v == nil {
		return nil
	}
	if _, ok := v.Type().(*types.Tuple); !ok {
		if i == 0 {
			return v
		}
		return nil
	}
	for _, ref := range *v.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok && ex.Index == i {
			return ex
		}
	}
	return nil
}

func containsValue(vs []ssa.Value, x ssa.Value) bool {
	for _, v := range vs {
		if v == x {
			return true
		}
	}
	return false
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// randomSources make a value that is new on every call.
var randomSources = knowledge.Names(knowledge.RandomSources)

var comparisonMethods = knowledge.Names(knowledge.ComparisonMethods)

// freshKey reports whether a map key is made new on every call: the result
// of a random source, of a conversion or encoding of one, or of a function
// of this package that draws from one.
func freshKey(v ssa.Value, depth int) bool {
	if depth > 4 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Convert:
		return freshKey(x.X, depth+1)
	case *ssa.ChangeType:
		return freshKey(x.X, depth+1)
	case *ssa.MakeInterface:
		return freshKey(x.X, depth+1)
	case *ssa.Extract:
		return freshKey(x.Tuple, depth+1)
	case *ssa.Call:
		callee := x.Call.StaticCallee()
		if callee == nil {
			return false
		}
		if isRandomSource(callee) {
			return true
		}
		if callee.Pkg != nil && len(callee.Blocks) > 0 && drawsRandom(callee) {
			return true
		}
		for _, arg := range x.Call.Args {
			if freshKey(arg, depth+1) {
				return true // hex.EncodeToString(b), uuid.New().String()
			}
		}
	case *ssa.Slice:
		return freshKey(x.X, depth+1)
	case *ssa.Field:
		// ticket.Ticket, where ticket is a literal made here with
		// Ticket: RandStringBytes(64) (pmoxs3backuproxy's login).
		if load, ok := x.X.(*ssa.UnOp); ok && load.Op == token.MUL {
			return freshField(load.X, x.Field, depth)
		}
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			return freshField(fa.X, fa.Field, depth)
		}
	}
	return false
}

// freshField reports whether field idx of the local struct at addr is set
// from a fresh key.
func freshField(addr ssa.Value, idx int, depth int) bool {
	alloc, ok := addr.(*ssa.Alloc)
	if !ok || depth > 4 {
		return false
	}
	for _, ref := range *alloc.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == alloc {
			// ticket := apiTicket{...}: the literal is built in a
			// temporary and copied whole into the variable.
			if load, ok := st.Val.(*ssa.UnOp); ok && load.Op == token.MUL && load.X != alloc && freshField(load.X, idx, depth+1) {
				return true
			}
			continue
		}
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || fa.Field != idx {
			continue
		}
		for _, use := range *fa.Referrers() {
			if st, ok := use.(*ssa.Store); ok && st.Addr == fa && freshKey(st.Val, depth+1) {
				return true
			}
		}
	}
	return false
}

func isRandomSource(fn *ssa.Function) bool {
	obj, ok := fn.Object().(*types.Func)
	return ok && obj.Pkg() != nil && randomSources[obj.Pkg().Path()+"."+obj.Name()]
}

// drawsRandom reports whether fn calls a random source itself.
func drawsRandom(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(ssa.CallInstruction); ok {
				if callee := call.Common().StaticCallee(); callee != nil && isRandomSource(callee) {
					return true
				}
			}
		}
	}
	return false
}
