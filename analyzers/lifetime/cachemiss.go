package lifetime

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// cacheFills are the methods that put a value in a cache or a sync.Map.
var cacheFills = map[string]bool{
	"Set": true, "SetDefault": true, "SetWithTTL": true, "Store": true,
	"LoadOrStore": true, "Swap": true, "Add": true, "Put": true,
}

// cacheLookups are the methods that look a key up and say whether it hit:
// v, found := cache.Get(key).
var cacheLookups = map[string]bool{
	"Get": true, "Load": true, "Lookup": true, "GetIfPresent": true, "Peek": true,
}

// OnlyOnCacheMiss reports whether block b of fn runs only after a cache
// lookup missed, in a function that fills that cache itself: the work in
// b (a client made to fetch a token, then closed) runs once per entry and
// expiry, not per call (one-api's Vertex AI getToken, caching the token
// for 50 minutes in a go-cache).
func OnlyOnCacheMiss(fn *ssa.Function, b *ssa.BasicBlock) bool {
	for blk := b; blk != nil && blk.Idom() != nil; blk = blk.Idom() {
		idom := blk.Idom()
		ifi, ok := idom.Instrs[len(idom.Instrs)-1].(*ssa.If)
		if !ok || len(idom.Succs) != 2 {
			continue
		}
		cache, negated := lookupHit(ifi.Cond)
		if cache == nil {
			continue
		}
		miss := idom.Succs[1]
		if negated {
			miss = idom.Succs[0]
		}
		if miss.Dominates(b) && fillsCache(fn, cache) {
			return true
		}
	}
	return false
}

// lookupHit returns the cache whose lookup cond tests for a hit (found,
// or !found when negated), or nil.
func lookupHit(cond ssa.Value) (cache ssa.Value, negated bool) {
	if not, ok := cond.(*ssa.UnOp); ok && not.Op == token.NOT {
		cond, negated = not.X, true
	}
	ext, ok := cond.(*ssa.Extract)
	if !ok || ext.Index != 1 {
		return nil, false
	}
	switch t := ext.Tuple.(type) {
	case *ssa.Lookup:
		if t.CommaOk {
			return t.X, negated
		}
	case *ssa.Call:
		res := t.Call.Signature().Results()
		if res.Len() != 2 || !types.Identical(res.At(1).Type(), types.Typ[types.Bool]) {
			return nil, false
		}
		if recv, name := receiverAndName(&t.Call); recv != nil && cacheLookups[name] {
			return recv, negated
		}
	}
	return nil, false
}

// receiverAndName returns the receiver and method name of a method call.
func receiverAndName(c *ssa.CallCommon) (ssa.Value, string) {
	if c.IsInvoke() {
		return c.Value, c.Method.Name()
	}
	if callee := c.StaticCallee(); callee != nil && callee.Signature.Recv() != nil && len(c.Args) > 0 {
		return c.Args[0], callee.Name()
	}
	return nil, ""
}

// fillsCache reports whether fn puts something in cache: a map update of
// it, or a fill method called on it.
func fillsCache(fn *ssa.Function, cache ssa.Value) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.MapUpdate:
				if sameSource(in.Map, cache) && !freshKey(in.Key, 0) {
					return true
				}
			case ssa.CallInstruction:
				// A key new on every call (a random ticket) makes every
				// lookup miss: no cache.
				if recv, name := receiverAndName(in.Common()); recv != nil && cacheFills[name] && sameSource(recv, cache) &&
					!slices.ContainsFunc(callArgs(in.Common()), func(k ssa.Value) bool { return freshKey(k, 0) }) {
					return true
				}
			}
		}
	}
	return false
}

// sameSource reports whether a and b are the same value or loads of the
// same variable or field (two reads of a package-level cache).
func sameSource(a, b ssa.Value) bool {
	a, b = stripConversions(a), stripConversions(b)
	if a == b {
		return true
	}
	la, okA := a.(*ssa.UnOp)
	lb, okB := b.(*ssa.UnOp)
	if okA && okB && la.Op == token.MUL && lb.Op == token.MUL {
		ra, sa := rootOf(la.X)
		rb, sb := rootOf(lb.X)
		return ra != nil && ra == rb && equalSteps(sa, sb)
	}
	ra, sa := rootOf(a)
	rb, sb := rootOf(b)
	return ra != nil && ra == rb && len(sa) > 0 && equalSteps(sa, sb)
}

// callArgs returns the arguments of a method call after its receiver.
func callArgs(c *ssa.CallCommon) []ssa.Value {
	if c.IsInvoke() || len(c.Args) == 0 {
		return c.Args
	}
	return c.Args[1:]
}
