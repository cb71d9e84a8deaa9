package lifetime

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Given says that a function makes a pool only when one of its parameters
// (or a field of it) is not nil: go-bitbucket's injectClient clones the
// default transport only when the auth it is given carries CA
// certificates, and NewBasicAuth never sets them. A caller that passes
// nil, or a struct literal without the field, gets no new pool.
type Given struct {
	Param int    // index among the SSA parameters (the receiver is 0)
	Field string // "" for the parameter itself
	// WhenNil turns the condition round: the pool is made only when the
	// parameter is nil, in its place (an optional client).
	WhenNil bool
}

// onNilOnly reports whether the pool is made only when the caller passes
// nil for a parameter: a call resolved through an interface, a function
// value or the whole program, whose arguments are not matched to the
// condition, is taken to pass a client of its own.
func (r Fresh) onNilOnly() bool { return r.Given != nil && r.Given.WhenNil }

// givenAt returns the condition under which the pool of site s is made in
// f: a branch on a parameter (or its field) being non-nil that every path
// to the site takes, or the condition the callee that made it put on its
// own arguments. Nil means the pool is made whatever the caller passes.
func (a *pkgRun) givenAt(f *Func, s *Site) *Given {
	if s.Given != nil {
		return s.Given
	}
	b := s.Instr.Block()
	for d := b.Idom(); d != nil && b != nil; b, d = d, d.Idom() {
		ifInstr, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		bin, ok := ifInstr.Cond.(*ssa.BinOp)
		if !ok || (bin.Op != token.NEQ && bin.Op != token.EQL) {
			continue
		}
		x := nilCompared(bin)
		if x == nil {
			continue
		}
		taken := d.Succs[0] // the branch where x != nil
		if bin.Op == token.EQL {
			taken = d.Succs[1]
		}
		if len(taken.Preds) != 1 || !taken.Dominates(s.Instr.Block()) {
			continue
		}
		if g := paramGiven(f.SSA, x); g != nil {
			return g
		}
	}
	return nil
}

// nilCompared returns the operand bin compares with nil.
func nilCompared(bin *ssa.BinOp) ssa.Value {
	for _, pair := range [][2]ssa.Value{{bin.X, bin.Y}, {bin.Y, bin.X}} {
		if c, ok := pair[1].(*ssa.Const); ok && c.IsNil() {
			return stripConversions(pair[0])
		}
	}
	return nil
}

// paramGiven names x as a parameter of fn, or a field loaded from one.
func paramGiven(fn *ssa.Function, x ssa.Value) *Given {
	if p, ok := x.(*ssa.Parameter); ok {
		return &Given{Param: paramIndex(fn, p)}
	}
	if fld, ok := x.(*ssa.Field); ok {
		if p, isParam := fld.X.(*ssa.Parameter); isParam {
			if st, isStruct := p.Type().Underlying().(*types.Struct); isStruct {
				return &Given{Param: paramIndex(fn, p), Field: st.Field(fld.Field).Name()}
			}
		}
		return nil
	}
	load, ok := x.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	p, ok := fa.X.(*ssa.Parameter)
	if !ok {
		return nil
	}
	ptr, ok := p.Type().Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	st, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	return &Given{Param: paramIndex(fn, p), Field: st.Field(fa.Field).Name()}
}

func paramIndex(fn *ssa.Function, p *ssa.Parameter) int {
	for i, q := range fn.Params {
		if q == p {
			return i
		}
	}
	return -1
}

// givenByCall decides a callee's condition at one static call: ok is
// false when the call cannot meet it (it passes nil, or a struct literal
// that leaves the field unset), so no pool is made; otherwise the
// condition carries over to the caller when the argument is the caller's
// own parameter, and is dropped (the pool is made) for anything else.
func givenByCall(caller *ssa.Function, common *ssa.CallCommon, g *Given) (carried *Given, ok bool) {
	if g == nil || g.Param < 0 || g.Param >= len(common.Args) || common.IsInvoke() {
		return nil, true
	}
	arg := stripConversions(common.Args[g.Param])
	if g.WhenNil {
		// Only a literal nil surely makes the pool; the caller's own
		// parameter carries the condition; any other value is taken to
		// be a client, so none is made.
		if c, isConst := arg.(*ssa.Const); isConst && c.IsNil() {
			return nil, true
		}
		if p, isParam := arg.(*ssa.Parameter); isParam {
			return &Given{Param: paramIndex(caller, p), WhenNil: true}, true
		}
		return nil, false
	}
	if c, isConst := arg.(*ssa.Const); isConst && c.IsNil() {
		return nil, false
	}
	if p, isParam := arg.(*ssa.Parameter); isParam {
		return &Given{Param: paramIndex(caller, p), Field: g.Field}, true
	}
	if g.Field == "" {
		return nil, true
	}
	stored, literal := fieldStores(arg, g.Field, common)
	if !literal {
		return nil, true
	}
	if len(stored) == 0 {
		return nil, false
	}
	if len(stored) == 1 {
		if p, isParam := stripConversions(stored[0]).(*ssa.Parameter); isParam {
			return &Given{Param: paramIndex(caller, p)}, true
		}
	}
	return nil, true
}

// fieldStores returns what is stored in field name of v when v is a struct
// literal made in the function and handed to no call but the one given
// (literal is then true): the non-nil values.
func fieldStores(v ssa.Value, name string, call *ssa.CallCommon) (stored []ssa.Value, literal bool) {
	alloc, ok := v.(*ssa.Alloc)
	if !ok {
		if load, isLoad := v.(*ssa.UnOp); isLoad && load.Op == token.MUL {
			alloc, ok = load.X.(*ssa.Alloc)
		}
		if !ok {
			return nil, false
		}
	}
	st, ok := alloc.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct)
	if !ok {
		return nil, false
	}
	for _, ref := range *alloc.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok {
			switch r := ref.(type) {
			case ssa.CallInstruction:
				if r.Common() != call {
					return nil, false // another call may set the field
				}
			case *ssa.Store:
				return nil, false // stored or overwritten whole: unknown
			}
			continue
		}
		if st.Field(fa.Field).Name() != name {
			continue
		}
		for _, use := range *fa.Referrers() {
			if store, ok := use.(*ssa.Store); ok && store.Addr == fa {
				if c, isConst := store.Val.(*ssa.Const); !isConst || !c.IsNil() {
					stored = append(stored, store.Val)
				}
			}
		}
	}
	return stored, true
}
