package lifetime

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// keptOnSomePaths reports whether fn, which keeps parameter p on some
// path, also returns normally on a path that neither stores, returns nor
// closes it: cloud-on-k8s's observer manager stores the client it is
// given only when it has no observer for the cluster yet, so a reconcile
// that builds a new client each time drops it on every later call.
//
// It stays quiet where "not kept" is not a drop: a path where p is nil,
// a return that hands back a non-nil error (the caller got a refusal and
// owns the value still), and keeps inside a loop (storing into each of
// zero or more elements is no condition on the value).
func (a *pkgRun) keptOnSomePaths(fn *ssa.Function, p *ssa.Parameter) bool {
	if len(fn.Blocks) == 0 {
		return false
	}
	all := a.walk(fn, p, accessPath{}, false)
	if len(all.keptIn) == 0 || len(all.Returned) > 0 || all.Released() || all.SometimesKeptBy.Name != "" {
		return false
	}
	keeps := make(map[*ssa.BasicBlock]bool, len(all.keptIn))
	for _, b := range all.keptIn {
		if onCycleAvoiding(b, nil) { // a store inside a loop
			return false
		}
		keeps[b] = true
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{fn.Blocks[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] || keeps[b] {
			continue
		}
		seen[b] = true
		switch last := b.Instrs[len(b.Instrs)-1].(type) {
		case *ssa.Return:
			if returnsNoError(fn, last) {
				return true
			}
		case *ssa.If:
			switch nilTestOf(last.Cond, p) {
			case token.EQL: // if p == nil: only the else branch has a value
				stack = append(stack, b.Succs[1])
			case token.NEQ:
				stack = append(stack, b.Succs[0])
			default:
				stack = append(stack, b.Succs...)
			}
		default:
			stack = append(stack, b.Succs...)
		}
	}
	return false
}

// nilTestOf returns the operator of cond when it compares p with nil.
func nilTestOf(cond ssa.Value, p ssa.Value) token.Token {
	bin, ok := cond.(*ssa.BinOp)
	if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) {
		return token.ILLEGAL
	}
	for _, pair := range [][2]ssa.Value{{bin.X, bin.Y}, {bin.Y, bin.X}} {
		if c, ok := pair[1].(*ssa.Const); ok && c.IsNil() && stripConversions(pair[0]) == p {
			return bin.Op
		}
	}
	return token.ILLEGAL
}

// returnsNoError reports whether ret hands back no error: fn has no error
// result, or it returns a nil constant there.
func returnsNoError(fn *ssa.Function, ret *ssa.Return) bool {
	for i, r := range ret.Results {
		if !isError(fn.Signature.Results().At(i).Type()) {
			continue
		}
		if c, ok := r.(*ssa.Const); !ok || !c.IsNil() {
			return false
		}
	}
	return true
}
