package clientshutdown

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/lifetime"
	"github.com/churnlint/churnlint/analyzers/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports owners that open a pool and never release it.
var Analyzer = &analysis.Analyzer{
	Name:     "clientshutdown",
	Doc:      lifetime.AnalyzerDoc(doc, "clientshutdown"),
	URL:      "https://github.com/churnlint/churnlint#clientshutdown",
	Requires: []*analysis.Analyzer{lifetime.Analyzer},
	Run:      suppress.Run(run), // honours //churnlint:ignore
}

func init() {
	lifetime.Settings.RegisterFlags(&Analyzer.Flags)
}

// owned is a field of an owner type that receives a fresh pool.
type owned struct {
	field *types.Var
	site  *lifetime.Site
	// depth orders the holders of one pool in one function: a holder
	// stored into another holder comes later (resolver, then Module).
	depth int
}

type owner struct {
	named  *types.Named
	fields []*owned
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[lifetime.Analyzer].(*lifetime.Result)
	if res.Pkg == nil {
		return nil, nil
	}
	c := &checker{pass: pass, res: res, owners: make(map[*types.Named]*owner)}
	for _, f := range res.Funcs {
		if f.RunsOnce() {
			continue
		}
		for _, s := range f.Sites {
			c.collect(f, s)
			c.partialRelease(f, s)
		}
	}
	c.lifecycles = lifecycleInterfaces(pass)
	c.dedupe()
	var names []*types.Named
	for n := range c.owners {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Obj().Pos() < names[j].Obj().Pos() })
	for _, n := range names {
		c.check(c.owners[n])
	}
	return nil, nil
}

type checker struct {
	pass       *analysis.Pass
	res        *lifetime.Result
	owners     map[*types.Named]*owner
	lifecycles []*types.Named
}

// dedupe keeps, for each pool, only its outermost owner that can be
// reported: when makeClient wraps a new client in a resolverClient that
// Handler then keeps, Handler is the one to release it (its chain is the
// longer one, or it holds the resolver). An outer holder that is never
// reported (a plain value with no lifecycle, istio's ImageFetcher holding
// options) does not hide the wrapper inside it. Ties go by position, so
// that the finding does not depend on map order.
func (c *checker) dedupe() {
	best := make(map[string]*owned)
	outer := make(map[*owned]*types.Named)
	better := func(of, b *owned) bool {
		if len(of.site.Chain) != len(b.site.Chain) {
			return len(of.site.Chain) > len(b.site.Chain)
		}
		if of.depth != b.depth {
			return of.depth > b.depth
		}
		return outer[of].Obj().Pos() < outer[b].Obj().Pos()
	}
	for _, o := range c.owners {
		if !c.reportable(o.named) {
			continue
		}
		for _, of := range o.fields {
			outer[of] = o.named
			key := of.site.Key(c.pass.Fset)
			if b := best[key]; b == nil || better(of, b) {
				best[key] = of
			}
		}
	}
	for n, o := range c.owners {
		// Every field of the chosen owner that holds the pool stays:
		// releasing any of them releases it.
		var keep []*owned
		for _, of := range o.fields {
			if b := best[of.site.Key(c.pass.Fset)]; b != nil && outer[b] == n {
				keep = append(keep, of)
			}
		}
		if len(keep) == 0 {
			delete(c.owners, n)
		} else {
			o.fields = keep
		}
	}
}

// collect records the owner fields that site s fills with a fresh pool,
// and reports a reload that replaces a pool without releasing the old one.
func (c *checker) collect(f *lifetime.Func, s *lifetime.Site) {
	fate := s.Fate
	if fate.Conditional || fate.Dropped() || fate.ReleaseStored || !c.res.Reports(c.pass.Fset, s.Instr.Pos()) {
		return
	}
	if fate.KeptField != nil {
		if n := lifetime.RecvNamed(f.SSA.Signature); n != nil {
			c.add(n, fate.KeptField, s, 0)
			c.replaced(f, s, fate.KeptField)
		}
	}
	for i, h := range fate.Held {
		c.add(h.Owner, h.Field, s, i+1)
	}
}

func (c *checker) add(n *types.Named, field *types.Var, s *lifetime.Site, depth int) {
	if n.Obj().Pkg() != c.pass.Pkg || !c.res.Reports(c.pass.Fset, n.Obj().Pos()) {
		return
	}
	if _, ok := n.Underlying().(*types.Struct); !ok {
		return
	}
	o := c.owners[n]
	if o == nil {
		o = &owner{named: n}
		c.owners[n] = o
	}
	for _, of := range o.fields {
		if of.field == field {
			return
		}
	}
	o.fields = append(o.fields, &owned{field: field, site: s, depth: depth})
}

// lifecycleMethods mark a component that a host creates, serves through
// and replaces (a handler, a transport, a plugin, a provider): such a type
// needs a release method. A plain client wrapper with none of these lives
// as long as whatever holds it (often the whole process, in a CLI), and is
// not reported for lacking one.
var lifecycleMethods = map[string]bool{
	"ServeHTTP": true, "RoundTrip": true, "Init": true, "Initialize": true, "Start": true,
	"Provision": true, "Configure": true, "Setup": true, "Open": true, "Connect": true,
	"Run": true, "Serve": true, "Reload": true,
}

func hasLifecycle(n *types.Named) bool {
	ms := types.NewMethodSet(types.NewPointer(n))
	for i := 0; i < ms.Len(); i++ {
		if lifecycleMethods[ms.At(i).Obj().Name()] {
			return true
		}
	}
	return false
}

// setupMethods are how a host brings a component up.
var setupMethods = map[string]bool{
	"Init": true, "Initialize": true, "Start": true, "Provision": true,
	"Configure": true, "Setup": true, "Open": true, "Connect": true,
}

// hostWithoutTeardown reports whether the owner implements an interface in
// scope through which a host sets it up but never tears it down (traefik's
// provider.Provider: Init and Provide; terraform's backend.Backend:
// Configure, ...). Such a host keeps the component for the life of the
// process; there is no shutdown for a release method to hook into.
func (c *checker) hostWithoutTeardown(n *types.Named) bool {
	ptr := types.NewPointer(n)
	scan := func(pkg *types.Package) bool {
		scope := pkg.Scope()
		for _, name := range scope.Names() {
			tn, ok := scope.Lookup(name).(*types.TypeName)
			if !ok || !tn.Exported() && pkg != c.pass.Pkg {
				continue
			}
			it, ok := tn.Type().Underlying().(*types.Interface)
			if !ok || it.NumMethods() == 0 || !types.Implements(ptr, it) {
				continue
			}
			setup, teardown := false, false
			for i := 0; i < it.NumMethods(); i++ {
				setup = setup || setupMethods[it.Method(i).Name()]
				teardown = teardown || lifetime.IsReleaseName(it.Method(i).Name())
			}
			if setup && !teardown {
				return true
			}
		}
		return false
	}
	if scan(c.pass.Pkg) {
		return true
	}
	for _, imp := range c.pass.Pkg.Imports() {
		if scan(imp) {
			return true
		}
	}
	return false
}

// releaseMethods returns the owner's methods that release pools by name.
func releaseMethods(n *types.Named) []*types.Func {
	var out []*types.Func
	ms := types.NewMethodSet(types.NewPointer(n))
	for i := 0; i < ms.Len(); i++ {
		m := ms.At(i).Obj().(*types.Func)
		if lifetime.IsReleaseName(m.Name()) {
			out = append(out, m)
		}
	}
	return out
}

// reportable reports whether check can report anything on the owner: it
// has a release method, a host that shuts it down, or a lifecycle of its
// own under a host that tears down.
func (c *checker) reportable(n *types.Named) bool {
	return len(releaseMethods(n)) > 0 || c.hostInterface(n) != nil ||
		(hasLifecycle(n) && !c.hostWithoutTeardown(n))
}

func (c *checker) check(o *owner) {
	methods := releaseMethods(o.named)
	host := c.hostInterface(o.named)
	if len(methods) == 0 {
		if c.reportable(o.named) {
			// One field per pool: the one it was stored in first.
			first := &owner{named: o.named}
			for _, pool := range c.byPool(o) {
				first.fields = append(first.fields, pool[0])
			}
			c.reportNoRelease(first, host)
		}
		return
	}
	// A pool held in two fields (the connection, and a literal that
	// closes it: terraform's rpcapi.Client) is released through either.
	for _, pool := range c.byPool(o) {
		var releasing []*types.Func
		released := pool[0]
		for _, m := range methods {
			for _, of := range pool {
				if c.res.ReleasesField(c.res.Pkg.Prog.FuncValue(m), of.field) {
					if len(releasing) == 0 {
						released = of
					}
					releasing = append(releasing, m)
					break
				}
			}
		}
		if len(releasing) == 0 {
			// Name the field a release can be written for (conn, not
			// the literal that captured it).
			missed := pool[0]
			for _, of := range pool {
				if releaseStmt("x", of) != "" {
					missed = of
					break
				}
			}
			c.reportMissed(o, missed, methods, host)
			continue
		}
		if host != nil && !anyIn(releasing, host) {
			c.reportWrongMethod(o, released, releasing, host)
		}
	}
}

// byPool groups the owner's fields by the pool they hold, in field order.
func (c *checker) byPool(o *owner) [][]*owned {
	var pools [][]*owned
	index := make(map[string]int)
	for _, of := range o.fields {
		key := of.site.Key(c.pass.Fset)
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
func (c *checker) hostInterface(n *types.Named) *types.Named {
	ms := types.NewMethodSet(types.NewPointer(n))
	for _, iface := range c.lifecycles {
		it := iface.Underlying().(*types.Interface)
		if types.Implements(types.NewPointer(n), it) {
			return iface
		}
		others := 0
		for i := 0; i < it.NumMethods(); i++ {
			m := it.Method(i)
			if lifetime.IsReleaseName(m.Name()) {
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
func lifecycleInterfaces(pass *analysis.Pass) []*types.Named {
	configured := make(map[string]bool)
	for _, name := range lifetime.Settings.Lifecycle.Items() {
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

// describe says where the pool comes from: "(&http.Transport{}, created in NewModerator)".
func (c *checker) describe(of *owned) string {
	return fmt.Sprintf("(%s, created in %s)", strings.Join(localChain(c.pass, of.site.Chain), " -> "), c.local(lifetime.Label(of.site.Fn.SSA)))
}

// article returns "a" or "an" for a noun phrase.
func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiouH", rune(s[0])) {
		return "an"
	}
	return "a"
}

func localChain(pass *analysis.Pass, chain []string) []string {
	out := make([]string, len(chain))
	for i, p := range chain {
		out[i] = strings.TrimPrefix(p, pass.Pkg.Name()+".")
	}
	return out
}

func (c *checker) local(label string) string {
	return strings.TrimPrefix(label, c.pass.Pkg.Name()+".")
}

func (c *checker) typePos(n *types.Named) token.Pos { return n.Obj().Pos() }

// reportNoRelease reports, once per owner, the pools it keeps without any
// method to release them.
func (c *checker) reportNoRelease(o *owner, host *types.Named) {
	name := o.named.Obj().Name()
	want := "Close() error"
	if host != nil {
		want = "Shutdown(ctx context.Context) error (as " + host.Obj().Name() + " declares)"
	}
	var kept, calls []string
	var related []analysis.RelatedInformation
	for _, of := range o.fields {
		kept = append(kept, fmt.Sprintf("%s %s in %s.%s %s", article(of.site.Kind), of.site.Kind, name, of.field.Name(), c.describe(of)))
		calls = append(calls, releaseCall(of))
		related = append(related, analysis.RelatedInformation{Pos: of.site.Instr.Pos(), Message: "the pool in " + of.field.Name() + " is created here"})
	}
	d := analysis.Diagnostic{
		Pos:      c.typePos(o.named),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s keeps %s but has no Shutdown, Close or Stop method to release it: its idle connections and their goroutines outlive it; add %s that calls %s",
			name, strings.Join(kept, ", "), want, strings.Join(calls, ", ")),
		Related: related,
	}
	if fix, ok := c.addMethodFix(o, host); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	} else {
		why := "the method could not be written after the declaration of " + name
		for _, of := range o.fields {
			if releaseStmt("x", of) == "" {
				why = noReleaseMethod(of)
				break
			}
		}
		d.Message += " (no automatic fix: " + why + ")"
	}
	c.pass.Report(d)
}

func (c *checker) reportMissed(o *owner, of *owned, methods []*types.Func, host *types.Named) {
	name := o.named.Obj().Name()
	m := methods[0]
	if host != nil {
		for _, cand := range methods {
			if anyIn([]*types.Func{cand}, host) {
				m = cand
			}
		}
	}
	d := analysis.Diagnostic{
		Pos:      m.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s.%s does not release %s.%s, %s %s %s: its idle connections and their goroutines outlive the owner; call %s in %s",
			name, m.Name(), name, of.field.Name(), article(of.site.Kind), of.site.Kind, c.describe(of), releaseCall(of), m.Name()),
		Related: []analysis.RelatedInformation{{Pos: of.site.Instr.Pos(), Message: "the pool is created here"}},
	}
	if fix, ok := c.insertReleaseFix(m, of); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	} else {
		d.Message += " (no automatic fix: " + noReleaseMethod(of) + ")"
	}
	c.pass.Report(d)
}

func (c *checker) reportWrongMethod(o *owner, of *owned, releasing []*types.Func, host *types.Named) {
	name := o.named.Obj().Name()
	it := host.Underlying().(*types.Interface)
	var hostRelease []string
	var target *types.Func
	for i := 0; i < it.NumMethods(); i++ {
		if m := it.Method(i); lifetime.IsReleaseName(m.Name()) {
			hostRelease = append(hostRelease, m.Name())
			if sel := types.NewMethodSet(types.NewPointer(o.named)).Lookup(m.Pkg(), m.Name()); sel != nil && target == nil {
				target = sel.Obj().(*types.Func)
			}
		}
	}
	d := analysis.Diagnostic{
		Pos:      releasing[0].Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s releases %s.%s only in %s, but its host shuts it down through %s.%s, which never calls %s: release the %s in %s",
			name, name, of.field.Name(), releasing[0].Name(), host.Obj().Name(), strings.Join(hostRelease, "/"),
			releasing[0].Name(), of.site.Kind, strings.Join(hostRelease, "/")),
		Related: []analysis.RelatedInformation{{Pos: of.site.Instr.Pos(), Message: "the pool is created here"}},
	}
	if target != nil {
		if fix, ok := c.insertReleaseFix(target, of); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		} else {
			d.Message += " (no automatic fix: " + noReleaseMethod(of) + ")"
		}
	} else {
		d.Message += " (no automatic fix: " + name + " has no " + strings.Join(hostRelease, "/") + " method of its own to release it in)"
	}
	c.pass.Report(d)
}

// replaced reports a reload-like method that stores a new pool in a field
// without releasing the one it replaces.
var reloadWords = []string{"reload", "reconfigure", "refresh", "rotate", "update", "reset", "apply", "reconnect"}

// camelWord matches one word of a camelCase or snake_case name.
var camelWord = regexp.MustCompile(`[A-Z]?[a-z0-9]+|[A-Z]+(?:[^a-z]|$)`)

// isReload reports whether a method name says it reloads: one of its
// words starts with reload, refresh, ... ("ensureConnected" does not).
func isReload(name string) bool {
	for _, w := range camelWord.FindAllString(name, -1) {
		w = strings.ToLower(w)
		for _, r := range reloadWords {
			if strings.HasPrefix(w, r) {
				return true
			}
		}
	}
	return false
}

func (c *checker) replaced(f *lifetime.Func, s *lifetime.Site, field *types.Var) {
	if !isReload(f.SSA.Name()) || c.res.ReleasesField(f.SSA, field) {
		return
	}
	if !c.res.Reports(c.pass.Fset, s.Instr.Pos()) {
		return
	}
	n := lifetime.RecvNamed(f.SSA.Signature)
	c.pass.Report(analysis.Diagnostic{
		Pos:      s.Instr.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s replaces %s.%s with a new %s without releasing the old one: each reload strands the old pool's idle connections and their goroutines; call CloseIdleConnections (or Close) on the old value once it is replaced (no automatic fix: when the old pool may be released depends on requests still using it)",
			c.local(lifetime.Label(f.SSA)), n.Obj().Name(), field.Name(), s.Kind),
	})
}

// partialRelease reports a pool that is released on some paths and
// dropped on another.
func (c *checker) partialRelease(f *lifetime.Func, s *lifetime.Site) {
	if !s.Fate.Dropped() || !s.Fate.Released() || !c.res.Reports(c.pass.Fset, s.Instr.Pos()) {
		return
	}
	ret := s.UnreleasedPath()
	if ret == nil {
		return
	}
	c.pass.Report(analysis.Diagnostic{
		Pos:      s.Instr.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s releases the %s it creates (%s) on some paths but not on the one returning at line %d: release it with defer right after creating it (no automatic fix: moving the release changes when it runs)",
			c.local(lifetime.Label(f.SSA)), s.Kind, strings.Join(localChain(c.pass, s.Chain), " -> "), c.pass.Fset.Position(ret.Pos()).Line),
		Related: []analysis.RelatedInformation{{Pos: ret.Pos(), Message: "returns without releasing it"}},
	})
}

// nillable reports whether a value of type t can be compared with nil.
func nillable(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Interface, *types.Map, *types.Chan, *types.Signature, *types.Slice:
		return true
	}
	return false
}

// heldByFunc reports whether the field holds a function (a factory
// literal) that captured the pool rather than the pool itself.
func heldByFunc(of *owned) bool {
	_, ok := of.field.Type().Underlying().(*types.Signature)
	return ok
}

// noReleaseMethod explains why no release can be inserted.
func noReleaseMethod(of *owned) string {
	if heldByFunc(of) {
		return fmt.Sprintf("the pool is captured by the function stored in %s (a factory), and nothing can reach it there to release it; keep the pool in a field of its own as well and release that field", of.field.Name())
	}
	if releaseStmt("x", of) == "" {
		return fmt.Sprintf("%s has no CloseIdleConnections or Close method to call; give the value it holds one and call it", types.TypeString(of.field.Type(), nil))
	}
	return "the method's receiver has no name, or its body could not be edited safely"
}

// releaseCall is the call that releases the field.
func releaseCall(of *owned) string {
	if heldByFunc(of) {
		return "CloseIdleConnections() on the pool " + of.field.Name() + " captures"
	}
	if strings.Contains(of.site.Kind, "connection") {
		return of.field.Name() + ".Close()"
	}
	return of.field.Name() + ".CloseIdleConnections()"
}

// releaseStmt renders the nil-guarded release of recv.field, or "" when
// the field's type has no release method to call (an interface that does
// not declare one: the fix would compile and release nothing).
func releaseStmt(recv string, of *owned) string {
	x := recv + "." + of.field.Name()
	for _, method := range []string{"CloseIdleConnections", "Close"} {
		obj, _, _ := types.LookupFieldOrMethod(of.field.Type(), true, of.field.Pkg(), method)
		fn, ok := obj.(*types.Func)
		if !ok {
			continue
		}
		sig := fn.Signature()
		if sig.Params().Len() != 0 {
			continue
		}
		call := x + "." + method + "()"
		if sig.Results().Len() > 0 {
			call = "_ = " + call
		}
		if !nillable(of.field.Type()) {
			return call + "\n" // an http.Client held by value (traefik's forwardAuth)
		}
		return fmt.Sprintf("if %s != nil {\n\t%s\n}\n", x, call)
	}
	return ""
}

// addMethodFix adds a release method after the owner's last method (or
// after its declaration).
func (c *checker) addMethodFix(o *owner, host *types.Named) (analysis.SuggestedFix, bool) {
	file, after := c.lastDecl(o.named)
	if file == nil {
		return analysis.SuggestedFix{}, false
	}
	recv := receiverName(file, o.named)
	var body strings.Builder
	for _, f := range o.fields {
		stmt := releaseStmt(recv, f)
		if stmt == "" {
			return analysis.SuggestedFix{}, false
		}
		body.WriteString(stmt)
	}
	var src, imports string
	name := o.named.Obj().Name()
	if host != nil {
		ctxName, ok := importName(file, "context")
		if !ok {
			ctxName = "context"
			imports = "context"
		}
		src = fmt.Sprintf("\n\n// Shutdown releases the connection pools %s opened.\nfunc (%s *%s) Shutdown(ctx %s.Context) error {\n%sreturn nil\n}", name, recv, name, ctxName, body.String())
	} else {
		src = fmt.Sprintf("\n\n// Close releases the connection pools %s opened.\nfunc (%s *%s) Close() error {\n%sreturn nil\n}", name, recv, name, body.String())
	}
	formatted, err := format.Source([]byte("package p" + src))
	if err != nil {
		return analysis.SuggestedFix{}, false
	}
	edits := []analysis.TextEdit{{Pos: after, End: after, NewText: bytes.TrimPrefix(formatted, []byte("package p"))}}
	if imports != "" {
		edits = append(edits, addImport(file, imports))
	}
	return analysis.SuggestedFix{Message: "add a release method", TextEdits: edits}, true
}

// insertReleaseFix inserts the release at the top of method m.
func (c *checker) insertReleaseFix(m *types.Func, of *owned) (analysis.SuggestedFix, bool) {
	decl := c.funcDecl(m)
	if decl == nil || decl.Body == nil || decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return analysis.SuggestedFix{}, false
	}
	recv := decl.Recv.List[0].Names[0].Name
	if recv == "_" {
		return analysis.SuggestedFix{}, false
	}
	release := releaseStmt(recv, of)
	if release == "" {
		return analysis.SuggestedFix{}, false
	}
	var stmt strings.Builder
	for _, line := range strings.SplitAfter(release, "\n") {
		if line != "" {
			stmt.WriteString("\t" + line)
		}
	}
	// Insert on the line after the brace, so a comment on the brace's
	// line stays where it is.
	fix := analysis.SuggestedFix{Message: "release " + of.field.Name() + " in " + m.Name()}
	tf := c.pass.Fset.File(decl.Body.Lbrace)
	line := tf.Line(decl.Body.Lbrace)
	if tf.Line(decl.Body.Rbrace) == line {
		// A one-line body: rewrite it as a block.
		var rest []byte
		if n := len(decl.Body.List); n > 0 {
			src, err := c.pass.ReadFile(tf.Name())
			if err != nil {
				return analysis.SuggestedFix{}, false
			}
			rest = append([]byte("\t"), src[tf.Offset(decl.Body.List[0].Pos()):tf.Offset(decl.Body.List[n-1].End())]...)
			rest = append(rest, '\n')
		}
		fix.TextEdits = []analysis.TextEdit{{Pos: decl.Body.Lbrace, End: decl.Body.Rbrace + 1,
			NewText: []byte("{\n" + stmt.String() + string(rest) + "}")}}
		return fix, true
	}
	// Insert on the line after the brace, so a comment on the brace's
	// line stays where it is.
	at := tf.LineStart(line + 1)
	fix.TextEdits = []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(stmt.String())}}
	return fix, true
}

func (c *checker) funcDecl(m *types.Func) *ast.FuncDecl {
	for _, f := range c.pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && c.pass.TypesInfo.Defs[fd.Name] == m {
				return fd
			}
		}
	}
	return nil
}

// lastDecl returns the file holding the owner's type and the end of its
// last method in that file (or of the type declaration).
func (c *checker) lastDecl(n *types.Named) (*ast.File, token.Pos) {
	for _, f := range c.pass.Files {
		if !(f.FileStart <= n.Obj().Pos() && n.Obj().Pos() < f.FileEnd) {
			continue
		}
		var end token.Pos
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok && c.pass.TypesInfo.Defs[ts.Name] == n.Obj() {
						end = max(end, d.End())
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil {
					if fn, ok := c.pass.TypesInfo.Defs[d.Name].(*types.Func); ok && lifetime.RecvNamed(fn.Signature()) == n {
						end = max(end, d.End())
					}
				}
			}
		}
		return f, end
	}
	return nil, token.NoPos
}

// receiverName is the receiver name the owner's methods use, or a letter.
func receiverName(file *ast.File, n *types.Named) string {
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 || len(fd.Recv.List[0].Names) == 0 {
			continue
		}
		t := fd.Recv.List[0].Type
		if st, ok := t.(*ast.StarExpr); ok {
			t = st.X
		}
		if id, ok := t.(*ast.Ident); ok && id.Name == n.Obj().Name() && fd.Recv.List[0].Names[0].Name != "_" {
			return fd.Recv.List[0].Names[0].Name
		}
	}
	return strings.ToLower(n.Obj().Name()[:1])
}

func importName(file *ast.File, path string) (string, bool) {
	for _, imp := range file.Imports {
		if strings.Trim(imp.Path.Value, `"`) == path {
			if imp.Name != nil {
				return imp.Name.Name, true
			}
			return path[strings.LastIndex(path, "/")+1:], true
		}
	}
	return "", false
}

// addImport adds an import declaration after the file's last one.
func addImport(file *ast.File, path string) analysis.TextEdit {
	pos := file.Name.End()
	for _, d := range file.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			pos = gd.End()
		}
	}
	return analysis.TextEdit{Pos: pos, End: pos, NewText: []byte("\n\nimport \"" + path + "\"")}
}
