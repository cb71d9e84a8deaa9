package lifetime

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/knowledge"
)

// Frameworks tell how often code runs by how it is registered, not by its
// name: a function stored in a CLI command's action runs once per process;
// a value handed to a gRPC server, a cron scheduler or a workflow worker
// has its methods called per request, tick or activity.

var grpcRegistrarTypes = knowledge.Names(knowledge.GRPCRegistrarTypes)

// registration is code that a call registers with a per-call framework.
type registration struct {
	call  ssa.CallInstruction
	why   string
	funcs []*ssa.Function // the functions and methods registered
}

// registrationAt reports what call registers, or nil.
func registrationAt(prog *ssa.Program, call ssa.CallInstruction) *registration {
	common := call.Common()
	var fn *types.Func
	var args []ssa.Value
	if common.IsInvoke() {
		fn, args = common.Method, common.Args
	} else if callee := common.StaticCallee(); callee != nil {
		fn, _ = callee.Object().(*types.Func)
		args = common.Args
		if callee.Signature.Recv() != nil && len(args) > 0 {
			args = args[1:]
		}
	}
	if fn == nil || fn.Pkg() == nil {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	for _, r := range knowledge.Registrars {
		if r.Name != fn.Name() || r.Pkg != fn.Pkg().Path() || r.Recv != recvName(sig) || r.Arg >= len(args) {
			continue
		}
		return &registration{call: call, why: r.Why, funcs: registeredFuncs(prog, args[r.Arg], nil)}
	}
	// RegisterFooServer(s grpc.ServiceRegistrar, srv FooServer), as
	// generated for every gRPC service: the methods of FooServer that srv
	// implements are called per request.
	if sig.Recv() == nil && strings.HasPrefix(fn.Name(), "Register") && strings.HasSuffix(fn.Name(), "Server") &&
		sig.Params().Len() == 2 && len(args) == 2 && grpcRegistrarTypes[namedPath(sig.Params().At(0).Type())] {
		if iface, ok := sig.Params().At(1).Type().Underlying().(*types.Interface); ok {
			return &registration{call: call, why: knowledge.GRPCMethodWhy, funcs: registeredFuncs(prog, args[1], iface)}
		}
	}
	return nil
}

// registeredFuncs lists the functions a registered value stands for: the
// function itself, the method of a method value, or the methods of a value
// (those of iface when it is given, else the exported ones).
func registeredFuncs(prog *ssa.Program, v ssa.Value, iface *types.Interface) []*ssa.Function {
	v = stripConversions(v)
	switch v := v.(type) {
	case *ssa.Function:
		return []*ssa.Function{v}
	case *ssa.MakeClosure:
		fn := v.Fn.(*ssa.Function)
		if obj, ok := fn.Object().(*types.Func); ok && strings.HasSuffix(fn.Name(), "$bound") {
			return []*ssa.Function{prog.FuncValue(obj)} // a method value: the method
		}
		return []*ssa.Function{fn}
	}
	t := v.Type()
	if types.IsInterface(t) {
		return nil
	}
	mset := prog.MethodSets.MethodSet(t)
	var out []*ssa.Function
	for i := 0; i < mset.Len(); i++ {
		m, ok := mset.At(i).Obj().(*types.Func)
		if !ok || !m.Exported() {
			continue
		}
		if iface != nil {
			if obj, _, _ := types.LookupFieldOrMethod(iface, false, m.Pkg(), m.Name()); obj == nil {
				continue
			}
		}
		if fn := prog.MethodValue(mset.At(i)); fn != nil {
			out = append(out, fn)
		}
	}
	return out
}

func recvName(sig *types.Signature) string {
	if sig.Recv() == nil {
		return ""
	}
	if n := RecvNamed(sig); n != nil {
		return n.Obj().Name()
	}
	return ""
}

// namedPath returns import/path.Name of a named type or a pointer to one.
func namedPath(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

// onceFieldStore reports whether st stores a function in a field that a CLI
// framework calls once per run, and returns that function.
func onceFieldStore(st *ssa.Store) *ssa.Function {
	fa, ok := st.Addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	path := namedPath(fa.X.Type())
	for _, of := range knowledge.OnceFields {
		if of.Pkg+"."+of.Type != path {
			continue
		}
		field := fieldOf(fa.X.Type(), fa.Field)
		if field == nil || !containsString(of.Fields, field.Name()) {
			return nil
		}
		switch v := stripConversions(st.Val).(type) {
		case *ssa.Function:
			return v
		case *ssa.MakeClosure:
			return v.Fn.(*ssa.Function)
		}
	}
	return nil
}

func containsString(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// markRegistered finds the functions this package stores in a CLI action
// (they run once) and the code it registers with a per-call framework:
// functions of this package become entry points, functions of other
// packages that churn are recorded on the registering function.
func (a *pkgRun) markRegistered() []*Func {
	var entries []*Func
	for _, f := range a.res.Funcs {
		for _, b := range f.SSA.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if g := a.funcOf(onceFieldStore(st)); g != nil {
						g.once = true
					}
					continue
				}
				call, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				reg := registrationAt(a.res.Pkg.Prog, call)
				if reg == nil {
					continue
				}
				for _, fn := range reg.funcs {
					if g := a.funcOf(fn); g != nil {
						if g.PerCall == nil {
							g.PerCall = &Reason{Entry: g.SSA, Why: funcStep(g.SSA).Name + " " + reg.why, Chain: Chain{funcStep(g.SSA)}}
							entries = append(entries, g)
						}
						continue
					}
					if c := a.importedChurn(fn); c != nil && !c.Reported {
						obj := fn.Object().(*types.Func)
						f.Churns = append(f.Churns, &ChurnCall{Call: call, Callee: obj, Churn: c,
							PerCall: &Reason{Entry: fn, Why: funcStep(fn).Name + " " + reg.why + " (registered here)", Chain: Chain{funcStep(fn)}}})
					}
				}
			}
		}
	}
	a.markOnceMethods()
	return append(entries, a.markServiceImpls()...)
}

// markOnceMethods marks as run-once the methods of this package's types
// that implement a CLI framework's command interface (knowledge.OnceMethods):
// nomad's commands' Run, one per process.
func (a *pkgRun) markOnceMethods() {
	for _, imp := range a.pass.Pkg.Imports() {
		for _, om := range knowledge.OnceMethods {
			if imp.Path() != om.Pkg {
				continue
			}
			tn, ok := imp.Scope().Lookup(om.Iface).(*types.TypeName)
			if !ok || !types.IsInterface(tn.Type()) {
				continue
			}
			sel := types.NewMethodSet(tn.Type()).Lookup(nil, om.Method)
			if sel == nil {
				continue
			}
			for _, fn := range a.implementations(sel.Obj().(*types.Func), true) {
				if g := a.funcOf(fn); g != nil {
					g.once = true
				}
			}
		}
	}
}

// markServiceImpls finds the types of this package that implement a gRPC
// service interface (FooServer, for which the generated
// RegisterFooServer(grpc.ServiceRegistrar, FooServer) exists in this
// package or one it imports): the service's methods run per call wherever
// the registration is made, often in main.
func (a *pkgRun) markServiceImpls() []*Func {
	var services []*types.Interface
	for _, p := range append([]*types.Package{a.pass.Pkg}, a.pass.Pkg.Imports()...) {
		scope := p.Scope()
		for _, name := range scope.Names() {
			if !strings.HasPrefix(name, "Register") || !strings.HasSuffix(name, "Server") {
				continue
			}
			fn, ok := scope.Lookup(name).(*types.Func)
			if !ok {
				continue
			}
			sig := fn.Type().(*types.Signature)
			if sig.Params().Len() != 2 || !grpcRegistrarTypes[namedPath(sig.Params().At(0).Type())] {
				continue
			}
			if iface, ok := sig.Params().At(1).Type().Underlying().(*types.Interface); ok && iface.NumMethods() > 0 {
				services = append(services, iface)
			}
		}
	}
	if len(services) == 0 {
		return nil
	}
	var entries []*Func
	for _, iface := range services {
		for i := 0; i < iface.NumMethods(); i++ {
			m := iface.Method(i)
			if !m.Exported() {
				continue // mustEmbedUnimplementedFooServer
			}
			for _, fn := range a.implementations(m, true) {
				if g := a.funcOf(fn); g != nil && g.PerCall == nil {
					g.PerCall = &Reason{Entry: g.SSA, Why: funcStep(g.SSA).Name + " " + knowledge.GRPCMethodWhy, Chain: Chain{funcStep(g.SSA)}}
					entries = append(entries, g)
				}
			}
		}
	}
	return entries
}
