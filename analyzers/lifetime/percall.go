package lifetime

import (
	"go/token"
	"go/types"
	"strings"
	"unicode"

	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/knowledge"
)

// entryPoints knows which functions a framework calls once per request,
// event or item: by method name (Reconcile, Gather) or by a parameter type
// (http.ResponseWriter, gin.Context, mcp.CallToolRequest).
type entryPoints struct {
	methods  map[string]string // method name -> why it runs per call
	params   map[string]string // import/path.Type -> why
	periodic map[string]bool   // the names and types called on a schedule
}

// newEntryPoints indexes knowledge's entry points and the configured
// ones: a method name, or import/path.Type for a parameter type.
func newEntryPoints(extra []string) *entryPoints {
	e := &entryPoints{methods: make(map[string]string), params: make(map[string]string), periodic: knowledge.Names(knowledge.PeriodicEntryPoints)}
	add := func(name, why string) {
		if strings.Contains(name, ".") {
			e.params[name] = why
		} else {
			e.methods[name] = why
		}
	}
	for _, ep := range knowledge.EntryPoints {
		add(ep.Name, ep.Why)
	}
	for _, item := range extra {
		add(item, knowledge.ConfiguredEntry)
	}
	return e
}

// reason says why fn is an entry point, or returns nil.
func (e *entryPoints) reason(fn *ssa.Function) *Reason {
	sig := fn.Signature
	if sig.Recv() != nil {
		if why, ok := e.methods[fn.Name()]; ok {
			return &Reason{Entry: fn, Why: funcStep(fn).Name + " " + why, Chain: Chain{funcStep(fn)}, periodic: e.periodic[fn.Name()]}
		}
	}
	for i := 0; i < sig.Params().Len(); i++ {
		t := sig.Params().At(i).Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		n, ok := types.Unalias(t).(*types.Named)
		if !ok || n.Obj().Pkg() == nil {
			continue
		}
		if key := n.Obj().Pkg().Path() + "." + n.Obj().Name(); e.params[key] != "" {
			return &Reason{Entry: fn, Why: funcStep(fn).Name + " " + e.params[key], Chain: Chain{funcStep(fn)}, periodic: e.periodic[key]}
		}
	}
	return nil
}

// runsOnce reports whether fn runs once per process: main and init.
func runsOnce(fn *ssa.Function) bool {
	if fn.Parent() != nil || fn.Signature.Recv() != nil {
		return false
	}
	name := fn.Name()
	return (name == "main" && fn.Pkg != nil && fn.Pkg.Pkg.Name() == "main") ||
		name == "init" || strings.HasPrefix(name, "init#")
}

// RunsOnce reports whether the function is main or init.
// A CLI command's action runs once too.
func (f *Func) RunsOnce() bool { return f.once || runsOnce(f.SSA) }

// Repeats reports whether block b of f runs many times per call of f
// while f itself may run more than once: b lies on a loop, and f is not
// main or init. It is the one statement of the rule "in a loop and not
// main/init" that per-call reasoning and the checks share.
func (f *Func) Repeats(b *ssa.BasicBlock) bool {
	return b != nil && b.Index < len(f.inLoop) && f.inLoop[b.Index] && !f.RunsOnce()
}

// markPerCall finds the entry points, then spreads per-call-ness down the
// static calls of this package: whatever a per-call function calls, or any
// function calls in a loop, runs per call too.
func (a *pkgRun) markPerCall() {
	queue := a.markRegistered()
	ctors := constructedTypes(a.pass.Pkg)
	a.constructedBehindInterfaces(ctors)
	for _, f := range a.res.Funcs {
		if !a.res.Reports(a.pass.Fset, f.SSA.Pos()) && f.SSA.Pos().IsValid() {
			// A test's loop over cases does not make production code
			// run per call (unless tests are reported).
			continue
		}
		r := a.entry.reason(f.SSA)
		if r == nil {
			r = operation(f.SSA, ctors)
		}
		if r != nil {
			f.PerCall = r
			queue = append(queue, f)
		}
	}
	for _, f := range a.res.Funcs {
		if !a.res.Reports(a.pass.Fset, f.SSA.Pos()) && f.SSA.Pos().IsValid() {
			continue
		}
		for _, b := range f.SSA.Blocks {
			if !f.Repeats(b) {
				continue
			}
			for _, instr := range b.Instrs {
				// Static calls, and interface calls on one value the loop
				// does not change, in a loop over items (c.Getter.GetMetric(pod)
				// per pod: kube-metrics-adapter; not a retry loop). A loop calling a method on each
				// item of a collection (Provision on every module of a
				// config) is a loop over items: every implementation would
				// become per call (caddy, coredns).
				callees := a.closureArgs(instr)
				if g := a.calleeFunc(instr); g != nil {
					callees = append(callees, g)
				} else if call, ok := instr.(ssa.CallInstruction); ok && call.Common().IsInvoke() && loopInvariant(f, call.Common().Value, 0) && InRangeOverItems(b) {
					callees = a.calleeFuncs(instr)
				}
				for _, g := range callees {
					if g.PerCall != nil || g == f {
						continue
					}
					g.PerCall = &Reason{Entry: f.SSA, Why: funcStep(f.SSA).Name + " calls it in a loop",
						Chain: Chain{funcStep(f.SSA), funcStep(g.SSA)}, fromLoop: true}
					queue = append(queue, g)
				}
			}
		}
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		if len(f.PerCall.Chain) >= maxChain {
			continue
		}
		for _, b := range f.SSA.Blocks {
			for _, instr := range b.Instrs {
				callees := append(a.calleeFuncs(instr), a.closureArgs(instr)...)
				if f.PerCall.fromLoop {
					callees = a.closureArgs(instr)
					if g := a.calleeFunc(instr); g != nil {
						callees = append(callees, g)
					}
				}
				for _, g := range callees {
					if g.PerCall != nil || g.RunsOnce() {
						continue
					}
					chain := append(append(Chain(nil), f.PerCall.Chain...), funcStep(g.SSA))
					g.PerCall = &Reason{Entry: f.PerCall.Entry, Why: f.PerCall.Why, Chain: chain, fromLoop: f.PerCall.fromLoop, byName: f.PerCall.byName, periodic: f.PerCall.periodic}
					queue = append(queue, g)
				}
			}
		}
	}
}

// loopInvariant reports whether v is the same value on every iteration of
// the loops of f: a parameter, a package variable, a captured variable, or
// what is loaded from one (c.Getter), or a value made outside every loop.
// An element of the collection a loop ranges over is not.
func loopInvariant(f *Func, v ssa.Value, depth int) bool {
	if depth > 6 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Parameter, *ssa.Global, *ssa.FreeVar, *ssa.Const, *ssa.Function:
		return true
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return loopInvariant(f, x.X, depth+1)
		}
	case *ssa.FieldAddr:
		return loopInvariant(f, x.X, depth+1)
	case *ssa.Field:
		return loopInvariant(f, x.X, depth+1)
	case *ssa.ChangeType:
		return loopInvariant(f, x.X, depth+1)
	case *ssa.MakeInterface:
		return loopInvariant(f, x.X, depth+1)
	}
	if instr, ok := v.(ssa.Instruction); ok && instr.Block() != nil {
		b := instr.Block()
		return b.Index < len(f.inLoop) && !f.inLoop[b.Index]
	}
	return false
}

// calleeFunc returns the Func of this package that instr calls statically.
func (a *pkgRun) calleeFunc(instr ssa.Instruction) *Func {
	call, ok := instr.(ssa.CallInstruction)
	if !ok {
		return nil
	}
	return a.funcOf(call.Common().StaticCallee())
}

// closureArgs returns the function literals of this package that instr
// passes to the function it calls, which runs them while it runs: a retry
// helper's attempt (retry.Do(func() error { ... })), an errgroup's task. A
// literal handed to a runner that runs it once per process (sync.Once.Do,
// sync.OnceValue) is not per call.
func (a *pkgRun) closureArgs(instr ssa.Instruction) []*Func {
	call, ok := instr.(ssa.CallInstruction)
	if !ok || onceRunner(call.Common()) {
		return nil
	}
	var out []*Func
	for _, arg := range call.Common().Args {
		if fn := funcValue(arg); fn != nil && fn.Parent() != nil {
			if g := a.funcOf(fn); g != nil {
				out = append(out, g)
			}
		}
	}
	return out
}

var onceRunners = knowledge.Names(knowledge.OnceRunners)

// onceRunner reports whether the call runs the functions it is given once
// per process, whatever calls it (knowledge.OnceRunners).
func onceRunner(common *ssa.CallCommon) bool {
	var fn *types.Func
	if common.IsInvoke() {
		fn = common.Method
	} else if callee := common.StaticCallee(); callee != nil {
		fn, _ = callee.Object().(*types.Func)
	}
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	name := fn.Pkg().Path() + "." + fn.Name()
	if r := recvName(fn.Type().(*types.Signature)); r != "" {
		name = fn.Pkg().Path() + "." + r + "." + fn.Name()
	}
	return onceRunners[name]
}

// calleeFuncs returns the functions of this package that instr may call:
// its static callee, or what a call through an interface or a function
// value resolves to (dynamic.go).
func (a *pkgRun) calleeFuncs(instr ssa.Instruction) []*Func {
	if g := a.calleeFunc(instr); g != nil {
		return []*Func{g}
	}
	call, ok := instr.(ssa.CallInstruction)
	if !ok {
		return nil
	}
	var out []*Func
	for _, fn := range a.dynamicTargets(call, true) {
		if g := a.funcOf(fn); g != nil {
			out = append(out, g)
		}
	}
	return out
}

var operationMethods = knowledge.Names(knowledge.OperationMethods)

// operation says why fn runs per call when it is an operation of a
// reusable library value: an exported method named like one
// (knowledge.OperationMethods) on an exported type that its package
// builds with a constructor, or shares as an exported variable. Its
// callers are in other packages or modules.
func operation(fn *ssa.Function, reusable map[*types.Named]string) *Reason {
	obj, ok := fn.Object().(*types.Func)
	if !ok || !obj.Exported() || !operationName(fn.Name()) || fn.Pkg == nil || fn.Pkg.Pkg.Name() == "main" {
		return nil
	}
	if fn.Signature.Recv() == nil {
		return libraryOperation(fn)
	}
	n := RecvNamed(fn.Signature)
	if n == nil || !n.Obj().Exported() {
		return nil
	}
	how, ok := reusable[n]
	if !ok {
		return nil
	}
	return &Reason{Entry: fn, Why: funcStep(fn).Name + " " + knowledge.OperationWhy + " (" + how + ")", Chain: Chain{funcStep(fn)}, byName: true}
}

// libraryOperation says why fn, an exported package-level function of a
// library package, runs per call when its name starts with an operation
// verb (prom2json.FetchMetricFamilies, called per scrape by exporters in
// other modules). An application's own packages are left to the callers
// churnlint sees (ApplicationPackage).
func libraryOperation(fn *ssa.Function) *Reason {
	if ApplicationPackage(fn.Pkg.Pkg.Path()) {
		return nil
	}
	if words := camelWords(fn.Name()); len(words) < 2 || !operationMethods[words[0]] {
		return nil
	}
	return &Reason{Entry: fn, Why: funcStep(fn).Name + " " + knowledge.LibraryOperationWhy, Chain: Chain{funcStep(fn)}, byName: true}
}

// ApplicationPackage reports whether a package path is laid out as an
// application's own code rather than a library's API: internal/ (no other
// module can import it), cmd/, or pkg/ (keda's pkg/metricsservice, whose
// one client its main builds for the life of the process). Its functions
// and owners are judged by how the application uses them, which churnlint
// sees, not as a library hands them out.
func ApplicationPackage(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		switch seg {
		case "internal", "cmd", "pkg":
			return true
		}
	}
	return false
}

// constructedBehindInterfaces adds to ctors the exported types of this
// package that an exported constructor returns as an interface
// (NewWebhook returning &Webhook{} as a Sink): the host keeps the value
// and calls its operations through the interface.
func (a *pkgRun) constructedBehindInterfaces(ctors map[*types.Named]string) {
	for _, f := range a.res.Funcs {
		fn := f.SSA
		if fn.Parent() != nil || fn.Signature.Recv() != nil || !constructorName(fn.Name()) || !token.IsExported(fn.Name()) {
			continue
		}
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			for _, r := range ret.Results {
				mi, ok := r.(*ssa.MakeInterface)
				if !ok {
					continue
				}
				t := mi.X.Type()
				if p, ok := t.(*types.Pointer); ok {
					t = p.Elem()
				}
				if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() == a.pass.Pkg && n.Obj().Exported() {
					if _, seen := ctors[n]; !seen {
						ctors[n] = "made by " + fn.Name() + " as a " + types.TypeString(mi.Type(), types.RelativeTo(a.pass.Pkg))
					}
				}
			}
		}
	}
}

// operationName reports whether a method name is an operation verb
// (knowledge.OperationMethods), alone or as its first or last word:
// GetVersion, and VersionGet in a client whose methods are named noun
// first (longhorn's ProcessManagerClient).
func operationName(name string) bool {
	if operationMethods[name] {
		return true
	}
	words := camelWords(name)
	return len(words) > 1 && (operationMethods[words[0]] || operationMethods[words[len(words)-1]])
}

// camelWords splits a MixedCaps name into its words: "VersionGet" is
// Version, Get; "GetHTTPClient" is Get, HTTP, Client.
func camelWords(name string) []string {
	var words []string
	rs := []rune(name)
	start := 0
	for i := 1; i < len(rs); i++ {
		lowerToUpper := unicode.IsUpper(rs[i]) && !unicode.IsUpper(rs[i-1])
		acronymEnd := unicode.IsUpper(rs[i]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
		if lowerToUpper || acronymEnd {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	return append(words, string(rs[start:]))
}

// Periodic reports whether reason r comes from an entry point called on a
// schedule (knowledge.PeriodicEntryPoints): a scrape, a reconcile.
func (r *Result) Periodic(reason *Reason) bool {
	return reason != nil && reason.periodic
}

// IsOperation reports whether reason r comes from an operation of a
// library value (operation): a per-call reason inferred from a name, with
// the rate of its callers unknown.
func (r *Result) IsOperation(reason *Reason) bool {
	return reason != nil && reason.byName
}

// constructedTypes maps each named type of pkg that an exported
// constructor (New..., knowledge.ConstructorPrefixes) returns, or an
// exported package variable holds (desktop's ClientBackend =
// newRawClient(...): one value every user of the package calls), to how
// its users get one.
func constructedTypes(pkg *types.Package) map[*types.Named]string {
	out := make(map[*types.Named]string)
	for n, name := range Constructors(pkg) {
		out[n] = "made by " + name
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj, ok := scope.Lookup(name).(*types.Var)
		if !ok || !obj.Exported() {
			continue
		}
		t := obj.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() == pkg {
			if _, seen := out[n]; !seen {
				out[n] = "shared as " + pkg.Name() + "." + name
			}
		}
	}
	return out
}

// Constructors maps each named type of pkg that an exported constructor
// (New..., knowledge.ConstructorPrefixes) returns to that function's name:
// the library values the package makes for its users, one per call (a
// value shared in a package variable is not counted: there is one).
func Constructors(pkg *types.Package) map[*types.Named]string {
	out := make(map[*types.Named]string)
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		fn, ok := scope.Lookup(name).(*types.Func)
		if !ok || !constructorName(name) {
			continue
		}
		res := fn.Signature().Results()
		for i := 0; i < res.Len(); i++ {
			t := res.At(i).Type()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() == pkg {
				if _, seen := out[n]; !seen {
					out[n] = name
				}
			}
		}
	}
	return out
}

// constructorName reports whether an exported function of this name is a
// constructor (knowledge.ConstructorPrefixes).
func constructorName(name string) bool {
	for _, p := range knowledge.ConstructorPrefixes {
		if strings.HasPrefix(name, p.Name) {
			return true
		}
	}
	return false
}
