package lifetime

import (
	"go/constant"
	"go/token"
	"go/types"
	"iter"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/knowledge"
)

// sitesAt records the pools that instr brings into being, and the calls it
// makes to functions of other packages that churn a pool on every call.
func (a *pkgRun) sitesAt(f *Func, instr ssa.Instruction) {
	switch in := instr.(type) {
	case *ssa.Alloc:
		elem := in.Type().Underlying().(*types.Pointer).Elem()
		pt, ok := a.cfg.Catalog.PoolType(elem)
		if !ok {
			a.lazyOwnerSite(f, in, elem) // a round tripper that makes its transports on first use
			return
		}
		if keepsNoIdle(in, in.Type()) || connOnly(in) {
			return
		}
		short := pt.Pkg[strings.LastIndex(pt.Pkg, "/")+1:]
		label := "&" + short + "." + pt.Name + "{}"
		if in.Comment == "new" {
			label = "new(" + short + "." + pt.Name + ")"
		}
		f.Sites = append(f.Sites, &Site{Fn: f, Instr: in, Value: in, Kind: catalog.Transport, Chain: Chain{{Name: label}}})
	case *ssa.Call:
		a.callSites(f, in)
	}
	if call, ok := instr.(ssa.CallInstruction); ok && !handsOwnPool(call.Common().Args) {
		if c := a.importedChurn(call.Common().StaticCallee()); c != nil {
			obj := call.Common().StaticCallee().Object().(*types.Func)
			f.Churns = append(f.Churns, &ChurnCall{Call: call, Callee: obj, Churn: c})
		} else if c, obj := a.dynamicChurn(call); c != nil {
			f.Churns = append(f.Churns, &ChurnCall{Call: call, Callee: obj, Churn: c})
		}
	}
}

// handsOwnPool reports whether a call's arguments include an option that
// hands the callee the caller's own pool (knowledge.PoolOptions: helm's
// getter.WithTransport(t), alone or appended to a slice of options): a
// library that makes a pool per call only when given none makes none.
func handsOwnPool(args []ssa.Value) bool {
	for _, arg := range args {
		if ownPoolOption(arg, 0) {
			return true
		}
	}
	return false
}

func ownPoolOption(v ssa.Value, depth int) bool {
	return passesOption(v, depth, func(obj *types.Func) bool {
		_, ok := knowledge.PoolOptions[obj.Pkg().Path()+"."+obj.Name()]
		return ok
	})
}

// makesNoPoolHere reports whether callee builds a pool only when given
// one of its knowledge.PoolOnlyWith options and this call passes none
// (go-github's NewClient(WithHTTPClient(c)) uses c's transport).
func makesNoPoolHere(callee *ssa.Function, common *ssa.CallCommon) bool {
	obj, ok := callee.Object().(*types.Func)
	if !ok || obj.Pkg() == nil {
		return false
	}
	set, ok := knowledge.PoolOnlyWith[knowledge.VersionlessPath(obj.Pkg().Path())+"."+obj.Name()]
	if !ok {
		return false
	}
	for _, arg := range common.Args {
		if passesOption(arg, 0, func(opt *types.Func) bool {
			return opt.Pkg() == obj.Pkg() && slices.Contains(set.Options, opt.Name())
		}) {
			return false
		}
		if _, isCall := stripConversions(arg).(*ssa.Call); !isCall && !isOptionSlice(arg) {
			return false // an option value made elsewhere: it may be any
		}
	}
	return true
}

// isOptionSlice reports whether v is a slice literal or a variadic
// array whose elements passesOption can read.
func isOptionSlice(v ssa.Value) bool {
	switch x := stripConversions(v).(type) {
	case *ssa.Slice:
		_, ok := x.X.(*ssa.Alloc)
		return ok
	case *ssa.Const:
		return x.IsNil()
	}
	return false
}

// passesOption reports whether v is, appends or holds a call of an option
// constructor that is matches.
func passesOption(v ssa.Value, depth int, is func(*types.Func) bool) bool {
	if depth > 6 {
		return false
	}
	switch x := stripConversions(v).(type) {
	case *ssa.Call:
		if b, ok := x.Call.Value.(*ssa.Builtin); ok && b.Name() == "append" {
			for _, arg := range x.Call.Args {
				if passesOption(arg, depth+1, is) {
					return true
				}
			}
			return false
		}
		if callee := x.Call.StaticCallee(); callee != nil {
			if obj, ok := callee.Object().(*types.Func); ok && obj.Pkg() != nil {
				return is(obj)
			}
		}
	case *ssa.Slice:
		return passesOption(x.X, depth+1, is)
	case *ssa.Alloc:
		// The array behind a variadic call or a slice literal: what its
		// elements were set to.
		for _, ref := range *x.Referrers() {
			ia, ok := ref.(*ssa.IndexAddr)
			if !ok {
				continue
			}
			for _, r := range *ia.Referrers() {
				if st, ok := r.(*ssa.Store); ok && st.Addr == ia && passesOption(st.Val, depth+1, is) {
					return true
				}
			}
		}
	}
	return false
}

// dynamicChurn resolves a call through an interface or a function value
// to an imported function that churns a pool on every call (an
// implementation from an imported package, or a function of another
// package stored in a field: r.download = helm.DownloadChart).
func (a *pkgRun) dynamicChurn(call ssa.CallInstruction) (*Churn, *types.Func) {
	common := call.Common()
	if common.StaticCallee() != nil {
		return nil, nil
	}
	for _, g := range a.dynamicTargets(call, false) {
		c := a.importedChurn(g)

		if c == nil {
			continue
		}
		obj, ok := g.Object().(*types.Func)
		if !ok {
			continue
		}
		cc := *c
		cc.Chain = cc.Chain[1:].prepend(dynamicStep(call, g))
		return &cc, obj
	}
	if g := funcGlobal(common.Value); g != nil {
		// Another package's variable holding a function that churns
		// (exportFuncVarFacts): its literal is no object of its own.
		if v, ok := g.Object().(*types.Var); ok && v.Pkg() != a.pass.Pkg {
			ff := new(FuncFact)
			if a.pass.ImportObjectFact(v, ff) && ff.Churn != nil {
				cc := *ff.Churn
				cc.Chain = cc.Chain[1:].prepend(Step{Pkg: v.Pkg().Name(), Name: v.Name()})
				return &cc, nil
			}
		}
	}
	return nil, nil
}

func (a *pkgRun) callSites(f *Func, call *ssa.Call) {
	common := call.Common()
	callee := common.StaticCallee()
	if callee == nil {
		if !a.factorySites(f, call) {
			a.dynamicSites(f, call)
		}
		return
	}
	if obj, ok := callee.Object().(*types.Func); ok {
		if e, ok := a.cfg.Catalog.Lookup(obj); ok {
			if e.GivenField != "" && e.GivenArg < len(common.Args) && setsField(common.Args[e.GivenArg], e.GivenField, common) {
				return // the caller's own transport: no new pool
			}
			if handsOwnPool(common.Args) {
				// storage.NewClient(ctx, option.WithHTTPClient(c)) rides
				// the caller's client (restic's gs backend).
				return
			}
			if v := resultValue(call, e.Result); v != nil && !keepsNoIdle(v, v.Type()) && !a.poolReplaced(v) {
				f.Sites = append(f.Sites, &Site{Fn: f, Instr: call, Value: v, Kind: e.Kind, Chain: Chain{constructorStep(obj)}})
			}
			return
		}
	}
	if g := a.funcOf(callee); g != nil {
		a.summarize(g)
		a.pendingFromCallee(f, call, g)
		if g.SSA.Parent() != nil {
			// An immediately called literal is part of f: what it drops is
			// reported there, what it hands back is f's own new pool
			// (Transport: func() http.RoundTripper { ... }()).
			for _, r := range g.fresh {
				if v := resultValue(call, r.Result); v != nil {
					f.Sites = append(f.Sites, &Site{Fn: f, Instr: call, Value: v, Kind: r.Kind, Chain: r.Chain[1:], Origin: g.freshPos[r.Result], At: g.freshAt[r.Result], Owned: r.Owned})
				}
			}
			return
		}
		for _, r := range g.fresh {
			given, made := givenByCall(f.SSA, common, r.Given)
			if v := resultValue(call, r.Result); v != nil && made {
				f.Sites = append(f.Sites, &Site{Fn: f, Instr: call, Value: v, Kind: r.Kind, Chain: r.Chain, Origin: g.freshPos[r.Result], At: g.freshAt[r.Result], Owned: r.Owned, Given: given})
			}
		}
		return
	}
	if ff := a.importedFact(callee); ff != nil {
		if passesNoIdleOption(common) {
			return // its transport closes every connection after use
		}
		if makesNoPoolHere(callee, common) {
			return // its pool comes only with options this call does not pass
		}
		for _, r := range ff.Fresh {
			given, made := givenByCall(f.SSA, common, r.Given)
			if v := resultValue(call, r.Result); v != nil && made {
				f.Sites = append(f.Sites, &Site{Fn: f, Instr: call, Value: v, Kind: r.Kind, Chain: r.Chain, At: r.At, Owned: r.Owned, Given: given})
			}
		}
	}
}

// passesNoIdleOption reports whether the call passes one of
// knowledge.NoIdleOptions, directly or in its variadic options
// (config.NewClientFromConfig(cfg, name, config.WithKeepAlivesDisabled())).
func passesNoIdleOption(common *ssa.CallCommon) bool {
	isOption := func(v ssa.Value) bool {
		c, ok := stripConversions(v).(*ssa.Call)
		if !ok || c.Call.StaticCallee() == nil {
			return false
		}
		obj, ok := c.Call.StaticCallee().Object().(*types.Func)
		if !ok || obj.Pkg() == nil {
			return false
		}
		_, listed := knowledge.NoIdleOptions[obj.Pkg().Path()+"."+obj.Name()]
		return listed
	}
	for _, arg := range common.Args {
		if isOption(arg) {
			return true
		}
		sl, ok := arg.(*ssa.Slice)
		if !ok {
			continue
		}
		arr, ok := sl.X.(*ssa.Alloc)
		if !ok {
			continue
		}
		for _, ref := range *arr.Referrers() {
			ia, ok := ref.(*ssa.IndexAddr)
			if !ok {
				continue
			}
			for _, use := range *ia.Referrers() {
				if st, ok := use.(*ssa.Store); ok && st.Addr == ia && isOption(st.Val) {
					return true
				}
			}
		}
	}
	return false
}

// setsField reports whether v is a struct literal (or a pointer to one)
// made in this function, handed to the call alone, whose field name is set
// to something other than nil.
func setsField(v ssa.Value, name string, call *ssa.CallCommon) bool {
	stored, literal := fieldStores(stripConversions(v), name, call)
	return literal && len(stored) > 0
}

// factorySites handles a call through a function stored in a struct field
// (an option or a factory): if a function of this package that is stored
// in that field returns a fresh pool, so does the call.
func (a *pkgRun) factorySites(f *Func, call *ssa.Call) bool {
	field := fieldVar(call.Common().Value)
	if field == nil {
		return false
	}
	for _, g := range a.factories[field] {
		gf := a.funcOf(g)
		if gf == nil {
			continue
		}
		a.summarize(gf)
		for _, r := range gf.fresh {
			if v := resultValue(call, r.Result); v != nil && !r.onNilOnly() {
				chain := r.Chain[1:].prepend(Step{Name: field.Name() + " (set to " + funcStep(gf.SSA).Name + ")"})
				f.Sites = append(f.Sites, &Site{Fn: f, Instr: call, Value: v, Kind: r.Kind, Chain: chain, Origin: gf.freshPos[r.Result], At: gf.freshAt[r.Result], Owned: r.Owned})
				return true
			}
		}
	}
	return false
}

// dynamicSites handles a call through an interface or a function value
// that may run a function returning a fresh pool (dynamic.go).
func (a *pkgRun) dynamicSites(f *Func, call *ssa.Call) {
	if call.Common().IsInvoke() && !resultsMayHold(call.Common().Signature()) {
		return // no result could be a pool: resolving the call finds none
	}
	for _, g := range a.dynamicTargets(call, false) {
		var fresh []Fresh
		var pos map[int]token.Pos
		if gf := a.funcOf(g); gf != nil {
			if gf == f {
				continue
			}
			a.summarize(gf)
			fresh, pos = gf.fresh, gf.freshPos
		} else if ff := a.importedFact(g); ff != nil {
			fresh = ff.Fresh
		}
		for _, r := range fresh {
			v := resultValue(call, r.Result)
			if v == nil || r.onNilOnly() {
				continue
			}
			chain := r.Chain[1:].prepend(dynamicStep(call, g))
			f.Sites = append(f.Sites, &Site{Fn: f, Instr: call, Value: v, Kind: r.Kind, Chain: chain, Origin: pos[r.Result], At: r.At, Owned: r.Owned})
			return
		}
	}
	if call.Common().IsInvoke() {
		a.pendingSites(f, call)
	} else {
		a.pendingFieldSites(f, call)
	}
}

// keepsNoIdle reports whether the function sets DisableKeepAlives to
// true, or MaxIdleConns below zero, on a new transport (in its literal, or
// right after cleanhttp's DefaultPooledTransport(), as
// cleanhttp.DefaultTransport does): it closes
// every connection after its request, keeps no idle pool, and so costs
// nothing more per call than a shared one.
func keepsNoIdle(v ssa.Value, t types.Type) bool {
	for _, ref := range *v.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		f := fieldOf(t, fa.Field)
		if f == nil || (f.Name() != "DisableKeepAlives" && f.Name() != "MaxIdleConns") {
			continue
		}
		for _, use := range *fa.Referrers() {
			st, ok := use.(*ssa.Store)
			if !ok || st.Addr != fa {
				continue
			}
			c, ok := st.Val.(*ssa.Const)
			if !ok || c.Value == nil {
				continue
			}
			// MaxIdleConns < 0: every connection put back is over the
			// limit and closed at once (acorn's fix for a transport per
			// registry call).
			if (f.Name() == "DisableKeepAlives" && c.Value.String() == "true") ||
				(f.Name() == "MaxIdleConns" && constant.Sign(c.Value) < 0) {
				return true
			}
		}
	}
	return false
}

// connOnly reports whether the new pool is only configured and then used
// through methods that run on a connection the caller gives
// (knowledge.ConnOnlyMethods: t := http2.Transport{...};
// t.NewClientConn(conn)): its own pool never holds a connection.
func connOnly(alloc *ssa.Alloc) bool {
	calls := 0
	for _, ref := range *alloc.Referrers() {
		switch ref := ref.(type) {
		case *ssa.FieldAddr, *ssa.DebugRef:
		case *ssa.Store:
			if ref.Addr != alloc {
				return false // t := http2.Transport{...} copies a literal into t
			}
		case ssa.CallInstruction:
			callee := ref.Common().StaticCallee()
			if callee == nil || len(ref.Common().Args) == 0 || ref.Common().Args[0] != alloc {
				return false
			}
			obj, ok := callee.Object().(*types.Func)
			n := RecvNamed(callee.Signature)
			if !ok || n == nil || obj.Pkg() == nil {
				return false
			}
			if _, ok := knowledge.ConnOnlyMethods[obj.Pkg().Path()+"."+n.Obj().Name()+"."+obj.Name()]; !ok {
				return false
			}
			calls++
		default:
			return false
		}
	}
	return calls > 0
}

// poolReplaced reports whether the caller installs a pool of its own over
// the one a constructor put in the value it returned (rc :=
// retryablehttp.NewClient(); rc.HTTPClient = shared), so that the
// constructor's pool never opens a connection.
func (a *pkgRun) poolReplaced(v ssa.Value) bool {
	if !isPointerTo(v.Type()) {
		return false
	}
	stored, read := map[int]bool{}, map[int]bool{}
	for _, ref := range *v.Referrers() {
		fa, ok := ref.(*ssa.FieldAddr)
		if !ok || fa.X != v {
			continue
		}
		field := fieldOf(v.Type(), fa.Field)
		if field == nil || !a.holdsPool(field.Type()) {
			continue
		}
		for _, use := range *fa.Referrers() {
			switch use := use.(type) {
			case *ssa.Store:
				if use.Addr == fa {
					stored[fa.Field] = true
				}
			case *ssa.UnOp:
				// The old pool is read: it is wrapped, not replaced
				// (cli.Transport = &userAgent{inner: cli.Transport}).
				read[fa.Field] = true
			}
		}
	}
	for f := range stored {
		if !read[f] {
			return true
		}
	}
	return false
}

// holdsPool reports whether a field of type t holds a pool: an HTTP client,
// a transport or a round tripper, of net/http or a fork of it.
func (a *pkgRun) holdsPool(t types.Type) bool {
	if path := namedPath(t); path != "" {
		pkg, name := path[:strings.LastIndex(path, ".")], path[strings.LastIndex(path, ".")+1:]
		if knowledge.IsHTTPPackage(pkg) && (name == "Client" || name == "Transport" || name == "RoundTripper") {
			return true
		}
	}
	_, ok := a.cfg.Catalog.PoolType(t)
	return ok
}

// constructorStep names a catalogued call: "grpc.Dial()",
// "http.Transport.Clone()".
func constructorStep(fn *types.Func) Step {
	name := fn.Name() + "()"
	if n := RecvNamed(fn.Signature()); n != nil {
		name = n.Obj().Name() + "." + name
	}
	return Step{Pkg: fn.Pkg().Name(), Name: name}
}

// RecvNamed returns the named type of a method's receiver (T for *T), or
// nil for a function.
func RecvNamed(sig *types.Signature) *types.Named {
	recv := sig.Recv()
	if recv == nil {
		return nil
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

// fieldVar returns the struct field that v was loaded from, or nil.
func fieldVar(v ssa.Value) *types.Var {
	switch v := v.(type) {
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok {
			return fieldOf(fa.X.Type(), fa.Field)
		}
	case *ssa.Field:
		return fieldOf(v.X.Type(), v.Field)
	}
	return nil
}

// collectFactories records which functions of this package are stored in
// which struct fields, so that calls through those fields can be resolved.
func (a *pkgRun) collectFactories() {
	a.factories = make(map[*types.Var][]*ssa.Function)
	for fa, val := range a.fieldStoresOfPackage() {
		var fn *ssa.Function
		if ct, ok := val.(*ssa.ChangeType); ok {
			// esClientProvider: commonesclient.NewClient, a function
			// converted to the field's named func type (cloud-on-k8s).
			val = ct.X
		}
		switch v := val.(type) {
		case *ssa.Function:
			fn = v
		case *ssa.MakeClosure:
			fn, _ = v.Fn.(*ssa.Function)
		}
		if fn == nil {
			continue
		}
		if field := fieldOf(fa.X.Type(), fa.Field); field != nil {
			a.factories[field] = append(a.factories[field], fn)
		}
	}
}

// fieldStoresOfPackage yields every store of this package's functions
// into a struct field: the field's address and the value stored.
func (a *pkgRun) fieldStoresOfPackage() iter.Seq2[*ssa.FieldAddr, ssa.Value] {
	return func(yield func(*ssa.FieldAddr, ssa.Value) bool) {
		for instr := range a.instructions() {
			if st, ok := instr.(*ssa.Store); ok {
				if fa, ok := st.Addr.(*ssa.FieldAddr); ok && !yield(fa, st.Val) {
					return
				}
			}
		}
	}
}

// paramUse says what callee does with its argument i.
func (a *pkgRun) paramUse(callee *ssa.Function, i int, recv bool) (Use, int) {
	if g := a.funcOf(callee); g != nil {
		a.paramFlows(g)
		if i < len(g.params) {
			return g.params[i].Use, g.params[i].Result
		}
		return Keeps, 0
	}
	if obj, ok := callee.Object().(*types.Func); ok && obj.Pkg() != nil && callee.Signature.Recv() == nil {
		if w, ok := knowledge.WrapsArgument[obj.Pkg().Path()+"."+obj.Name()]; ok && w.Arg == i {
			return Wraps, 0
		}
	}
	if ff := a.importedFact(callee); ff != nil {
		for _, p := range ff.Params {
			if p.Index == i {
				return p.Use, p.Result
			}
		}
		if !recv {
			return Keeps, 0
		}
	}
	if recv {
		// Calling a method does not make its receiver outlive the call.
		return Uses, 0
	}
	obj, _ := callee.Object().(*types.Func)
	if obj == nil || obj.Pkg() == nil {
		return Keeps, 0
	}
	if _, ok := knowledge.UsesArguments[obj.Pkg().Path()]; ok {
		return Uses, 0
	}
	if _, ok := knowledge.ConfiguresOnly[obj.Pkg().Path()+"."+obj.Name()]; ok {
		return Uses, 0
	}
	return Keeps, 0
}

// paramFlows computes what f does with each of its parameters. A call
// cycle sees "keeps", the safe answer.
func (a *pkgRun) paramFlows(f *Func) {
	if f.paramDone {
		return
	}
	f.paramDone = true
	f.params = make([]ParamFlow, len(f.SSA.Params))
	for i := range f.params {
		f.params[i] = ParamFlow{Index: i, Use: Keeps}
	}
	if len(f.SSA.Blocks) == 0 {
		return
	}
	computed := make([]ParamFlow, len(f.SSA.Params))
	for i, p := range f.SSA.Params {
		computed[i] = ParamFlow{Index: i, Use: Keeps}
		if !mayHold(p.Type()) {
			continue
		}
		fate := a.fateOf(f.SSA, p, accessPath{})
		switch {
		case fate.Kept != "":
			if a.keptOnSomePaths(f.SSA, p) {
				computed[i] = ParamFlow{Index: i, Use: KeepsSometimes}
			}
		case len(fate.Returned) > 0:
			computed[i] = ParamFlow{Index: i, Use: Wraps, Result: fate.Returned[0]}
		case fate.Released():
			computed[i] = ParamFlow{Index: i, Use: Releases}
		case fate.SometimesKeptBy.Name != "":
			computed[i] = ParamFlow{Index: i, Use: KeepsSometimes}
		default:
			computed[i] = ParamFlow{Index: i, Use: Uses}
		}
	}
	f.params = computed
}

// funcStep names a function for chains: package-qualified, methods by
// their receiver type, function literals after their parent (Handle.func1,
// from SSA's Handle$1).
func funcStep(fn *ssa.Function) Step {
	if fn.Parent() != nil {
		root := funcStep(rootFunc(fn))
		suffix := strings.ReplaceAll(fn.Name(), "$", ".func")
		root.Name += suffix[strings.Index(suffix, "."):]
		return root
	}
	name := fn.Name()
	if n := RecvNamed(fn.Signature); n != nil {
		name = n.Obj().Name() + "." + name
	}
	if fn.Pkg != nil {
		return Step{Pkg: fn.Pkg.Pkg.Name(), Name: name}
	} else if obj := fn.Object(); obj != nil && obj.Pkg() != nil {
		return Step{Pkg: obj.Pkg().Name(), Name: name}
	}
	return Step{Name: name}
}

func rootFunc(fn *ssa.Function) *ssa.Function {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn
}

func shortFile(name string) string {
	return filepath.Base(filepath.Dir(name)) + "/" + filepath.Base(name)
}

func itoa(i int) string { return strconv.Itoa(i) }
