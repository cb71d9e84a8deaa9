package lifetime

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// UnreleasedPath returns a return instruction that can be reached from the
// site without passing a release of its pool, or nil when every path
// releases it. Branches taken only when the constructor failed (err != nil
// on its own error result, or the pool == nil) hold nothing to release and
// are not followed; neither are panics.
func (s *Site) UnreleasedPath() *ssa.Return {
	if len(s.Fate.Releases) == 0 {
		return nil
	}
	start := s.Instr.Block()
	if start == nil {
		return nil
	}
	released := make(map[*ssa.BasicBlock]int) // block -> index of its first release
	for _, r := range s.Fate.Releases {
		b := r.Block()
		if b == nil || b.Parent() != start.Parent() {
			// A release in a function literal that this function calls.
			return nil
		}
		idx := indexOf(b, r)
		if old, ok := released[b]; !ok || idx < old {
			released[b] = idx
		}
	}
	failed := failureValues(s)
	seen := make(map[*ssa.BasicBlock]bool)
	var visit func(b *ssa.BasicBlock, from int) *ssa.Return
	visit = func(b *ssa.BasicBlock, from int) *ssa.Return {
		if idx, ok := released[b]; ok && idx >= from {
			return nil
		}
		if from == 0 {
			if seen[b] {
				return nil
			}
			seen[b] = true
		}
		if len(b.Instrs) == 0 {
			return nil
		}
		switch last := b.Instrs[len(b.Instrs)-1].(type) {
		case *ssa.Return:
			return last
		case *ssa.Panic:
			return nil
		case *ssa.If:
			if succ := failureBranch(last, failed); succ >= 0 {
				// Only the branch where the pool exists matters.
				return visit(b.Succs[1-succ], 0)
			}
		}
		for _, succ := range b.Succs {
			if r := visit(succ, 0); r != nil {
				return r
			}
		}
		return nil
	}
	return visit(start, indexOf(start, s.Instr)+1)
}

func indexOf(b *ssa.BasicBlock, instr ssa.Instruction) int {
	for i, in := range b.Instrs {
		if in == instr {
			return i
		}
	}
	return -1
}

// failureValues returns the values whose non-nil-ness (for errors) or
// nil-ness (for the pool) means the constructor failed.
func failureValues(s *Site) map[ssa.Value]bool {
	out := map[ssa.Value]bool{s.Value: true}
	call, ok := s.Instr.(*ssa.Call)
	if !ok {
		return out
	}
	for _, ref := range *call.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok && ex != s.Value {
			out[ex] = true
		}
	}
	// A phi that merges them with another branch's (var c *Client; if unix
	// { c, err = newUnix() } else { c, err = newTCP() }; if err != nil) is
	// this call's own on every path from the site: test it the same way.
	work := make([]ssa.Value, 0, len(out))
	for v := range out {
		work = append(work, v)
	}
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, ref := range *refs {
			if phi, ok := ref.(*ssa.Phi); ok && !out[phi] {
				out[phi] = true
				work = append(work, phi)
			}
		}
	}
	return out
}

// failureBranch returns the index of the successor taken when the
// constructor failed, or -1 if the condition is not about that.
func failureBranch(ifInstr *ssa.If, failed map[ssa.Value]bool) int {
	cond, ok := ifInstr.Cond.(*ssa.BinOp)
	if !ok || (cond.Op != token.EQL && cond.Op != token.NEQ) {
		return -1
	}
	x, y := cond.X, cond.Y
	if _, isConst := x.(*ssa.Const); isConst {
		x, y = y, x
	}
	if c, ok := y.(*ssa.Const); !ok || !c.IsNil() || !failed[x] {
		return -1
	}
	isErr := x.Type().String() == "error"
	// err != nil or pool == nil: the true branch is the failure.
	if (isErr && cond.Op == token.NEQ) || (!isErr && cond.Op == token.EQL) {
		return 0
	}
	return 1
}
