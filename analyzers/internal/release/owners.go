// Package release is what both checks know about owners of pools: which
// types of a package keep a fresh pool in a field (Collect), what they lack
// to release it (Check), and the edits that make type T release field F
// (the Problem's Fix). clientshutdown reports the problems; clientchurn,
// whose field fix makes a type keep a pool, asks ForNewField for the
// release that must come with it.
package release

import (
	"go/token"
	"go/types"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/knowledge"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// Field is a field of an owner type that receives a fresh pool.
type Field struct {
	Var  *types.Var
	Site *lifetime.Site
	// depth orders the holders of one pool in one function: a holder
	// stored into another holder comes later (resolver, then Module).
	depth int
}

// Owner is a struct type of the package that keeps pools in its fields.
type Owner struct {
	Named  *types.Named
	Fields []*Field
}

// Owners are the owners of one package, and what the checks need to
// judge them.
type Owners struct {
	pass       *analysis.Pass
	res        *lifetime.Result
	byType     map[*types.Named]*Owner
	lifecycles []*types.Named
	ctors      map[*types.Named]string // lifetime.Constructors, when asked
}

// Collect finds the owners of the package: the types whose fields the
// package's sites (outside main and init) fill with a fresh pool, each
// pool kept only by its outermost owner that can be reported (see dedupe).
func Collect(pass *analysis.Pass, res *lifetime.Result) *Owners {
	ow := &Owners{pass: pass, res: res, byType: make(map[*types.Named]*Owner), lifecycles: lifecycleInterfaces(pass, res.Config)}
	for _, f := range res.Funcs {
		if f.RunsOnce() {
			continue
		}
		for _, s := range f.Sites {
			if !Kept(res, pass, s) {
				continue
			}
			if s.Fate.KeptField != nil {
				if n := lifetime.RecvNamed(f.SSA.Signature); n != nil {
					ow.add(n, s.Fate.KeptField, s, 0)
				}
			}
			for i, h := range s.Fate.Held {
				if h.CallersToo && IsRoundTripper(h.Owner) {
					// A decorator over the round tripper it is given
					// (logging, URL checks): it lives as long as the
					// client that holds it, and must not close what its
					// caller passed in. A pool made per call is
					// clientchurn's finding where it is made.
					continue
				}
				ow.add(h.Owner, h.Field, s, i+1)
			}
		}
	}
	ow.dedupe()
	return ow
}

// Kept reports whether site s makes a fresh pool that outlives its
// function in something the checks report on.
func Kept(res *lifetime.Result, pass *analysis.Pass, s *lifetime.Site) bool {
	fate := s.Fate
	return !fate.Cond() && !fate.Dropped() && !fate.ReleaseStored && res.Reports(pass.Fset, s.Instr.Pos())
}

// Sorted returns the owners in the order their types are declared.
func (ow *Owners) Sorted() []*Owner {
	var out []*Owner
	for _, o := range ow.byType {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Named.Obj().Pos() < out[j].Named.Obj().Pos() })
	return out
}

func (ow *Owners) add(n *types.Named, field *types.Var, s *lifetime.Site, depth int) {
	if n.Obj().Pkg() != ow.pass.Pkg || !ow.res.Reports(ow.pass.Fset, n.Obj().Pos()) {
		return
	}
	if _, ok := n.Underlying().(*types.Struct); !ok {
		return
	}
	o := ow.byType[n]
	if o == nil {
		o = &Owner{Named: n}
		ow.byType[n] = o
	}
	for _, of := range o.Fields {
		if of.Var == field {
			return
		}
	}
	o.Fields = append(o.Fields, &Field{Var: field, Site: s, depth: depth})
}

// dedupe keeps, for each pool, only its outermost owner that can be
// reported: when makeClient wraps a new client in a resolverClient that
// Handler then keeps, Handler is the one to release it (its chain is the
// longer one, or it holds the resolver). An outer holder that is never
// reported (a plain value with no lifecycle, istio's ImageFetcher holding
// options) does not hide the wrapper inside it. Ties go by position, so
// that the finding does not depend on map order.
func (ow *Owners) dedupe() {
	best := make(map[lifetime.SourcePos]*Field)
	outer := make(map[*Field]*types.Named)
	better := func(of, b *Field) bool {
		if len(of.Site.Chain) != len(b.Site.Chain) {
			return len(of.Site.Chain) > len(b.Site.Chain)
		}
		if of.depth != b.depth {
			return of.depth > b.depth
		}
		return outer[of].Obj().Pos() < outer[b].Obj().Pos()
	}
	for _, o := range ow.byType {
		if !ow.reportable(o.Named) && ow.libraryOwner(o) == "" {
			continue
		}
		for _, of := range o.Fields {
			outer[of] = o.Named
			key := of.Site.Key(ow.pass.Fset)
			if b := best[key]; b == nil || better(of, b) {
				best[key] = of
			}
		}
	}
	for n, o := range ow.byType {
		// Every field of the chosen owner that holds the pool stays:
		// releasing any of them releases it.
		var keep []*Field
		for _, of := range o.Fields {
			if b := best[of.Site.Key(ow.pass.Fset)]; b != nil && outer[b] == n {
				keep = append(keep, of)
			}
		}
		if len(keep) == 0 {
			delete(ow.byType, n)
		} else {
			o.Fields = keep
		}
	}
}

// byPool groups the owner's fields by the pool they hold, in field order.
// Two calls of one helper make two pools (retryablehttp's NewClient builds
// HTTPClient and HTTPClient2 with DefaultClient()): a pool is its creation
// and the call that obtained it.
func (ow *Owners) byPool(o *Owner) [][]*Field {
	type poolKey struct {
		made lifetime.SourcePos
		call token.Pos
	}
	var pools [][]*Field
	index := make(map[poolKey]int)
	for _, of := range o.Fields {
		key := poolKey{of.Site.Key(ow.pass.Fset), of.Site.Instr.Pos()}
		i, ok := index[key]
		if !ok {
			i = len(pools)
			index[key] = i
			pools = append(pools, nil)
		}
		pools[i] = append(pools[i], of)
	}
	return pools
}

// lifecycleMethods mark a component that a host creates, serves through
// and replaces: such a type needs a release method. A plain client wrapper
// with none of these lives as long as whatever holds it (often the whole
// process, in a CLI), and is not reported for lacking one.
var lifecycleMethods = knowledge.Names(knowledge.LifecycleMethods)

// setupMethods are how a host brings a component up.
var setupMethods = knowledge.Names(knowledge.SetupMethods)

// hasLifecycle reports whether n has a lifecycle method. With processOK
// (no host of the module drives it), a component run until exit does not
// count: one with Run or Serve, whatever setup it has besides (argo-cd's
// API server: Init, then Run until the process exits), or one started
// with the context that ends it, Start(ctx) (mcp-gateway's notification
// monitor). A Close would have no caller.
func hasLifecycle(n *types.Named, processOK bool) bool {
	ms := types.NewMethodSet(types.NewPointer(n))
	if processOK {
		for i := 0; i < ms.Len(); i++ {
			m := ms.At(i).Obj().(*types.Func)
			if processLifetime[m.Name()] || m.Name() == "Start" && takesContext(m) {
				return false
			}
		}
	}
	for i := 0; i < ms.Len(); i++ {
		m := ms.At(i).Obj().(*types.Func)
		if lifecycleMethods[m.Name()] && !takesID(m) {
			return true
		}
	}
	return false
}

// takesContext reports whether m is given a context.Context.
func takesContext(m *types.Func) bool {
	params := m.Type().(*types.Signature).Params()
	for i := 0; i < params.Len(); i++ {
		if params.At(i).Type().String() == "context.Context" {
			return true
		}
	}
	return false
}

var processLifetime = knowledge.Names(knowledge.ProcessLifetimeMethods)

// hostWithoutTeardown reports whether the owner implements an interface in
// scope through which a host sets it up but never tears it down (traefik's
// provider.Provider: Init and Provide; terraform's backend.Backend:
// Configure, ...). Such a host keeps the component for the life of the
// process; there is no shutdown for a release method to hook into.
func (ow *Owners) hostWithoutTeardown(n *types.Named) bool {
	return ow.hostWithout(n, setupMethods) != nil
}

// driver returns the interface through which a host of this module drives
// n (Run, Serve, Start, ...) without ever releasing it, or nil. The
// standard library's interfaces (http.Handler) do not count: they are how
// a value is served, not a host that owns it, and whoever holds the value
// can call a new Close.
func (ow *Owners) driver(n *types.Named) *types.TypeName {
	tn := ow.hostWithout(n, lifecycleMethods)
	if tn == nil || tn.Pkg() != ow.pass.Pkg && !strings.Contains(strings.Split(tn.Pkg().Path(), "/")[0], ".") {
		return nil
	}
	return tn
}

// hostWithout returns an interface in scope that n implements, through
// which a host drives it by one of the methods in drive but never releases
// it, or nil.
func (ow *Owners) hostWithout(n *types.Named, drive map[string]bool) *types.TypeName {
	ptr := types.NewPointer(n)
	scan := func(pkg *types.Package) *types.TypeName {
		scope := pkg.Scope()
		for _, name := range scope.Names() {
			tn, ok := scope.Lookup(name).(*types.TypeName)
			if !ok || !tn.Exported() && pkg != ow.pass.Pkg {
				continue
			}
			it, ok := tn.Type().Underlying().(*types.Interface)
			if !ok || it.NumMethods() == 0 || !types.Implements(ptr, it) {
				continue
			}
			driven, teardown := false, false
			for i := 0; i < it.NumMethods(); i++ {
				driven = driven || drive[it.Method(i).Name()]
				teardown = teardown || ow.res.Config.IsReleaseName(it.Method(i).Name())
			}
			if driven && !teardown {
				return tn
			}
		}
		return nil
	}
	if tn := scan(ow.pass.Pkg); tn != nil {
		return tn
	}
	for _, imp := range ow.pass.Pkg.Imports() {
		if tn := scan(imp); tn != nil {
			return tn
		}
	}
	return nil
}

// releaseMethods returns the owner's methods that release pools by name.
// An unexported method of a release name (closeIdleConnections, close) is
// the owner's own teardown, which its other methods call (retryablehttp's
// Client.Do runs closeIdleConnections): it must release every pool too.
func (ow *Owners) releaseMethods(n *types.Named) []*types.Func {
	var out []*types.Func
	ms := types.NewMethodSet(types.NewPointer(n))
	for i := 0; i < ms.Len(); i++ {
		m := ms.At(i).Obj().(*types.Func)
		if ow.isReleaseName(m.Name()) && releasesSelf(m) {
			out = append(out, m)
		}
	}
	return out
}

// isReleaseName reports whether name is a release name, or one with its
// first letter lower-cased.
func (ow *Owners) isReleaseName(name string) bool {
	if ow.res.Config.IsReleaseName(name) {
		return true
	}
	r, size := utf8.DecodeRuneInString(name)
	return unicode.IsLower(r) && ow.res.Config.IsReleaseName(string(unicode.ToUpper(r))+name[size:])
}

// takesID reports whether m takes a string: Start(ctx, sandboxID) starts
// one of the things the value manages, which is no lifecycle of its own
// (containerd's podsandbox Controller, built once by its plugin).
func takesID(m *types.Func) bool {
	params := m.Type().(*types.Signature).Params()
	for i := 0; i < params.Len(); i++ {
		if b, ok := params.At(i).Type().Underlying().(*types.Basic); ok && b.Kind() == types.String {
			return true
		}
	}
	return false
}

// releasesSelf reports whether m's parameters fit a release of the value
// itself: none, or a context. Shutdown(ctx, sandboxID) shuts down one of
// the things the value manages (containerd's podsandbox Controller), not
// the value.
func releasesSelf(m *types.Func) bool {
	params := m.Type().(*types.Signature).Params()
	switch params.Len() {
	case 0:
		return true
	case 1:
		return params.At(0).Type().String() == "context.Context"
	}
	return false
}

// reportable reports whether anything can be reported on the owner: it
// has a release method, a host that shuts it down, or a lifecycle of its
// own under a host that tears down.
func (ow *Owners) reportable(n *types.Named) bool {
	return len(ow.releaseMethods(n)) > 0 || ow.hostInterface(n) != nil ||
		(hasLifecycle(n, ow.driver(n) == nil) && !ow.hostWithoutTeardown(n) && !ow.servesItself(n))
}

// serverStarts are the calls that run an HTTP server until it stops.
var serverStarts = map[string]bool{
	"net/http.ListenAndServe": true, "net/http.ListenAndServeTLS": true,
	"net/http.Serve": true, "net/http.ServeTLS": true,
	"(*net/http.Server).ListenAndServe": true, "(*net/http.Server).ListenAndServeTLS": true,
	"(*net/http.Server).Serve": true, "(*net/http.Server).ServeTLS": true,
}

// servesItself reports whether a method of n runs an HTTP server of its
// own (matterbridge's webhook clients: New starts StartServer, which
// serves the client on its bind address until the process exits): its
// ServeHTTP is served by itself, not by a host that replaces it on reload.
func (ow *Owners) servesItself(n *types.Named) bool {
	return ow.callsStatic(func(f *lifetime.Func) bool { return lifetime.RecvNamed(f.SSA.Signature) == n },
		func(callee *ssa.Function) bool { return serverStarts[callee.String()] })
}

// callsStatic reports whether a function of the package that in accepts
// makes a static call whose callee is matches.
func (ow *Owners) callsStatic(in func(*lifetime.Func) bool, is func(*ssa.Function) bool) bool {
	for _, f := range ow.res.Funcs {
		if !in(f) {
			continue
		}
		for _, b := range f.SSA.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(ssa.CallInstruction); ok {
					if callee := call.Common().StaticCallee(); callee != nil && is(callee) {
						return true
					}
				}
			}
		}
	}
	return false
}

// libraryOwner returns the exported constructor through which the package
// hands its users an owner that keeps a connection it dialled (a gRPC
// ClientConn, never collected: it redials for ever) in an unexported
// field: with no release method, its users cannot close it, and each
// value they make leaks one (stackdriver's Exporter, before it had
// Close). "" when o is no such owner. HTTP transports are not counted: a
// library client that keeps one for the life of the process is Go's
// convention (http.Client has no Close either), and whoever reaches the
// field can close it.
func (ow *Owners) libraryOwner(o *Owner) string {
	n := o.Named
	if !n.Obj().Exported() || ow.pass.Pkg.Name() == "main" {
		return ""
	}
	if ow.ctors == nil {
		ow.ctors = lifetime.Constructors(ow.pass.Pkg)
	}
	ctor := ow.ctors[n]
	if ctor == "" {
		return ""
	}
	if lifetime.ApplicationPackage(ow.pass.Pkg.Path()) && !ow.builtInPackage(ctor) {
		// An application's own type, built only elsewhere (keda's
		// metrics client, made once by its main): its lifetime is the
		// caller's to know. One the package itself builds again and again
		// (keda's secret-manager handler, per trigger resolution) is not.
		return ""
	}
	for _, of := range o.Fields {
		if of.Site.Kind == catalog.Conn && !of.Var.Exported() {
			return ctor
		}
	}
	return ""
}

// builtInPackage reports whether a function of this package other than
// main or init calls the constructor named ctor.
func (ow *Owners) builtInPackage(ctor string) bool {
	return ow.callsStatic(func(f *lifetime.Func) bool { return !f.RunsOnce() }, func(callee *ssa.Function) bool {
		return callee.Pkg != nil && callee.Pkg.Pkg == ow.pass.Pkg && callee.Name() == ctor && callee.Signature.Recv() == nil
	})
}

// anyIn reports whether iface declares a method named as one of ms.
func anyIn(ms []*types.Func, iface *types.Named) bool {
	it := iface.Underlying().(*types.Interface)
	for _, m := range ms {
		for i := 0; i < it.NumMethods(); i++ {
			if it.Method(i).Name() == m.Name() {
				return true
			}
		}
	}
	return false
}

// hostInterface returns a lifecycle interface the owner implements, or
// would implement but for its release methods (a plugin with Init and no
// Shutdown is still meant for a host that calls Shutdown).
func (ow *Owners) hostInterface(n *types.Named) *types.Named {
	ms := types.NewMethodSet(types.NewPointer(n))
	for _, iface := range ow.lifecycles {
		it := iface.Underlying().(*types.Interface)
		if types.Implements(types.NewPointer(n), it) {
			return iface
		}
		others := 0
		for i := 0; i < it.NumMethods(); i++ {
			m := it.Method(i)
			if ow.res.Config.IsReleaseName(m.Name()) {
				continue
			}
			others++
			if sel := ms.Lookup(m.Pkg(), m.Name()); sel == nil || !types.Identical(sel.Obj().Type().(*types.Signature).Params(), m.Type().(*types.Signature).Params()) {
				others = -1000
			}
		}
		if others > 0 {
			return iface
		}
	}
	return nil
}

// lifecycleInterfaces finds the host interfaces in scope: interfaces of
// this package and its imports that declare Shutdown(context.Context)
// error, plus those named by -lifecycle.
func lifecycleInterfaces(pass *analysis.Pass, cfg *lifetime.Config) []*types.Named {
	configured := make(map[string]bool)
	for _, name := range cfg.Lifecycle {
		configured[name] = true
	}
	var out []*types.Named
	scan := func(pkg *types.Package) {
		scope := pkg.Scope()
		for _, name := range scope.Names() {
			tn, ok := scope.Lookup(name).(*types.TypeName)
			if !ok || tn.IsAlias() {
				continue
			}
			n, ok := tn.Type().(*types.Named)
			if !ok {
				continue
			}
			it, ok := n.Underlying().(*types.Interface)
			if !ok || it.NumMethods() == 0 {
				continue
			}
			if configured[pkg.Path()+"."+name] || declaresShutdown(it) {
				out = append(out, n)
			}
		}
	}
	scan(pass.Pkg)
	for _, imp := range pass.Pkg.Imports() {
		scan(imp)
	}
	return out
}

func declaresShutdown(it *types.Interface) bool {
	for i := 0; i < it.NumMethods(); i++ {
		m := it.Method(i)
		if m.Name() != "Shutdown" {
			continue
		}
		sig := m.Type().(*types.Signature)
		if sig.Params().Len() == 1 && sig.Results().Len() == 1 &&
			sig.Params().At(0).Type().String() == "context.Context" && sig.Results().At(0).Type().String() == "error" {
			return true
		}
	}
	return false
}
