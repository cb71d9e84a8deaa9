package clientshutdown

import (
	"fmt"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/knowledge"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// perLoadSetup returns the setup convention fn follows, if it takes the
// host's controller (knowledge.PerLoadSetups) as a parameter.
func perLoadSetup(fn *ssa.Function) *knowledge.PerLoadSetup {
	for _, p := range fn.Params {
		ptr, ok := p.Type().(*types.Pointer)
		if !ok {
			continue
		}
		n, ok := types.Unalias(ptr.Elem()).(*types.Named)
		if !ok || n.Obj().Pkg() == nil {
			continue
		}
		name := n.Obj().Pkg().Path() + "." + n.Obj().Name()
		for i := range knowledge.PerLoadSetups {
			if knowledge.PerLoadSetups[i].Param == name {
				return &knowledge.PerLoadSetups[i]
			}
		}
	}
	return nil
}

// registersTeardown reports whether fn, or a function of this package it
// calls (two levels down: setup -> parse -> ...), registers a teardown on
// the controller. Any registration counts: what it releases is not
// followed, so a setup that registers one is never reported.
func registersTeardown(fn *ssa.Function, setup *knowledge.PerLoadSetup, depth int, seen map[*ssa.Function]bool) bool {
	if depth > 2 || seen[fn] {
		return false
	}
	seen[fn] = true
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee := call.Common().StaticCallee()
			if callee == nil {
				continue
			}
			if callee.Signature.Recv() != nil {
				for _, t := range setup.Teardown {
					if callee.Name() == t {
						return true
					}
				}
			}
			if callee.Pkg == fn.Pkg && len(callee.Blocks) > 0 && registersTeardown(callee, setup, depth+1, seen) {
				return true
			}
		}
	}
	for _, anon := range fn.AnonFuncs {
		if registersTeardown(anon, setup, depth, seen) {
			return true
		}
	}
	return false
}

// setupWithoutTeardown reports a pool that a per-load setup function
// builds and hands to the host (kept: in the plugin it registers), when
// the setup registers no teardown: every reload builds another one and
// the old one's connections and goroutines stay (CoreDNS's etcd plugin).
func (c *checker) setupWithoutTeardown(f *lifetime.Func, s *lifetime.Site) {
	if f.SSA.Parent() != nil || s.Fate.Kept == "" || s.Fate.Released() || !c.res.Reports(c.pass.Fset, s.Instr.Pos()) {
		return
	}
	setup := perLoadSetup(f.SSA)
	if setup == nil || c.setupsReported[f.SSA] || c.calledHere()[f.SSA] || registersTeardown(f.SSA, setup, 0, make(map[*ssa.Function]bool)) {
		// A helper that setup calls (parseStanza(c)) is judged at the
		// setup, which may register the teardown itself.
		return
	}
	c.setupsReported[f.SSA] = true
	c.report(analysis.Diagnostic{
		Pos:      s.Instr.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s builds a new %s the plugin keeps and registers no teardown; register one with c.%s",
			c.name(lifetime.StepOf(f.SSA)), s.Kind.Short(), setup.Teardown[0]),
		Related: []analysis.RelatedInformation{
			{Pos: s.Instr.Pos(), Message: "the pool comes from " + c.chain(s.Chain)},
			{Pos: f.SSA.Pos(), Message: fmt.Sprintf("%s %s, so each reload leaves the old pool's connections and goroutines behind", c.name(lifetime.StepOf(f.SSA)), setup.Why)},
		},
	}, nil, "the teardown to register depends on where the plugin keeps the pool")
}

// calledHere returns the functions of this package that another function
// of it calls statically.
func (c *checker) calledHere() map[*ssa.Function]bool {
	if c.called != nil {
		return c.called
	}
	c.called = make(map[*ssa.Function]bool)
	for _, f := range c.res.Funcs {
		for _, b := range f.SSA.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok {
					if callee := call.Common().StaticCallee(); callee != nil && callee != f.SSA && callee.Pkg == f.SSA.Pkg {
						c.called[callee] = true
					}
				}
			}
		}
	}
	return c.called
}
