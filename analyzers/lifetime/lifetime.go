// Package lifetime is the reasoning that churnlint's checks share: where a
// package creates connection pools, what becomes of each one (kept,
// returned, released or dropped), and which functions run once per call
// (handlers, collectors, loop bodies, and everything they call).
//
// It is an analysis.Analyzer that reports nothing; its Result is read by
// clientchurn and clientshutdown, and its facts carry function summaries
// across packages: "returns a fresh pool", "creates and drops a pool on
// every call", "does not keep this parameter".
package lifetime

import (
	"fmt"
	"go/build"
	"go/token"
	"go/types"
	"io"
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/catalog"
)

// Analyzer computes the Result. It needs only the settings
// (ConfigAnalyzer): it builds SSA itself, and only for packages that can
// touch a pool.
var Analyzer = &analysis.Analyzer{
	Name:       "lifetime",
	Doc:        "find connection pools, their lifetimes and the per-call functions that create them (shared by churnlint's checks)",
	URL:        "https://github.com/churnlint/churnlint",
	Requires:   []*analysis.Analyzer{ConfigAnalyzer},
	Run:        run,
	ResultType: reflect.TypeFor[*Result](),
	FactTypes:  []analysis.Fact{new(FuncFact), new(PackageFact), new(DroppedCalls), new(ProgramFacts), new(ProgramDrops)},
}

// Result describes one package.
type Result struct {
	// Pkg is nil when the package cannot touch a pool and was skipped.
	Pkg   *ssa.Package
	Funcs []*Func // in source order, function literals after their parent
	ByFn  map[*ssa.Function]*Func
	// Files maps each file of the package to whether checks report in it;
	// it is filled for every package, analysed or not.
	Files map[*token.File]bool
	// Config is the settings in force.
	Config *Config
	// RemoteDrops are this package's methods returning a new pool that
	// per-call functions of its dependencies drop (pending.go).
	RemoteDrops []*RemoteDrop

	run *pkgRun
}

// ReleasesField reports whether fn releases the pool held in field of its
// receiver: directly, through methods and helpers it calls, in defers or
// in function literals it calls.
func (r *Result) ReleasesField(fn *ssa.Function, field *types.Var) bool {
	if r.run == nil || fn == nil {
		return false
	}
	recv, st := receiverStruct(fn)
	if st == nil {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if st.Field(i) == field {
			return r.run.fateOf(fn, recv, accessPath{}.under(i)).Released() || r.handsBack(fn, recv, i)
		}
	}
	return false
}

// receiverStruct returns the receiver of method fn, which has a body, and
// the struct it is or points to; a nil struct otherwise.
func receiverStruct(fn *ssa.Function) (*ssa.Parameter, *types.Struct) {
	if fn.Signature.Recv() == nil || len(fn.Params) == 0 || len(fn.Blocks) == 0 {
		return nil, nil
	}
	recv := fn.Params[0]
	t := recv.Type()
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, _ := t.Underlying().(*types.Struct)
	return recv, st
}

// handsBack reports whether fn passes its receiver to a function of this
// package that releases the receiver's field idx on some path: a pooled
// handle's Close giving the connection back to its pool, which closes it
// or keeps it for reuse (go-micro's poolConn.Close -> pool.release).
func (r *Result) handsBack(fn *ssa.Function, recv *ssa.Parameter, idx int) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee := call.Common().StaticCallee()
			if callee == nil || callee == fn || r.run.funcOf(callee) == nil {
				continue
			}
			for i, arg := range call.Common().Args {
				if arg != recv || i >= len(callee.Params) || (i == 0 && callee.Signature.Recv() != nil) {
					continue
				}
				if r.run.releasedSomewhere(callee, callee.Params[i], accessPath{}.under(idx)) {
					return true
				}
			}
		}
	}
	return false
}

// Func returns what the core found in fn, or nil.
func (r *Result) Func(fn *ssa.Function) *Func {
	if r.run == nil {
		return nil
	}
	return r.run.funcOf(fn)
}

// Func is what the core found in one function.
type Func struct {
	SSA   *ssa.Function
	Sites []*Site
	// PerCall explains why the function runs once per request, item or
	// event; nil when nothing says so.
	PerCall *Reason
	// Churns are calls to functions of other packages that create and
	// drop a pool on every call.
	Churns []*ChurnCall
	// inLoop tells, by block index, which blocks lie on a cycle.
	inLoop []bool
	// once is set for code a framework runs once per process (a CLI
	// command's action), like main and init.
	once bool
	// pending holds the results of interface calls nothing visible
	// resolves to a new pool (pending.go).
	pending []*Site
	summary
}

// Site is one place where a function obtains a new pool.
type Site struct {
	Fn    *Func
	Instr ssa.Instruction // the Alloc or the call
	Value ssa.Value       // the pool (or its owner)
	Kind  catalog.Kind    // what it is
	Chain Chain           // how it is made: [&http.Transport{}] or [newClient, &http.Transport{}]
	// Origin is where the pool itself is created, when it is made in
	// another function of this package; At says where for other packages.
	Origin token.Pos
	At     SourcePos
	Owned  bool // the value holds the pool in a field
	Fate   *Fate
	// pending is set on what an unresolved interface call returned: a
	// pool only if an implementation elsewhere makes one (pending.go).
	// Such sites are kept apart, in Func.pending, and reported by nobody.
	pending *pendingCall
	// Given is set when the pool is made only if the caller passes
	// something for one of f's parameters (given.go).
	Given *Given
}

// Repeats reports whether the site runs many times per call of its
// function (see Func.Repeats).
func (s *Site) Repeats() bool { return s.Fn.Repeats(s.Instr.Block()) && !s.LongLived() }

// LongLived reports whether the pool outlives an inner loop of the loop it
// is made in: the loop redials around one long-lived use (a stream read
// until it breaks), a pool per reconnect rather than per request.
func (s *Site) LongLived() bool {
	home := s.Instr.Block()
	if home == nil || home.Index >= len(s.Fn.inLoop) || !s.Fn.inLoop[home.Index] {
		return false
	}
	fn := s.Fn.SSA
	// The blocks of the site's loop: those it reaches that reach it back.
	fwd, back := reach(home, func(b *ssa.BasicBlock) []*ssa.BasicBlock { return b.Succs }),
		reach(home, func(b *ssa.BasicBlock) []*ssa.BasicBlock { return b.Preds })
	inner := make([]bool, len(fn.Blocks))
	for _, b := range fn.Blocks {
		inner[b.Index] = b != home && fwd[b] && back[b] && onCycleAvoiding(b, home)
	}
	derived := derivedValues(s.Value)
	for _, b := range fn.Blocks {
		if !inner[b.Index] {
			continue
		}
		for _, instr := range b.Instrs {
			for _, op := range instr.Operands(nil) {
				if op != nil && derived[*op] {
					return true
				}
			}
		}
	}
	return false
}

// loopsAround yields, innermost first, whether each loop around block b
// goes over the items of a collection: a range over a slice, array or map,
// or a count to its length. A channel, an integer, a function iterator, a
// condition (a polling loop) or nothing (for {}) is no collection.
func loopsAround(b *ssa.BasicBlock) iter.Seq[bool] {
	return func(yield func(overItems bool) bool) {
		for d := b; d != nil; d = d.Idom() {
			var overItems bool
			switch d.Comment {
			case "rangeindex.loop", "rangeiter.loop":
				overItems = true
			case "for.loop":
				overItems = countsToLen(d) // for i := 0; i < len(procs); i++
			case "rangechan.loop", "rangeint.loop", "rangefunc.loop":
			case "for.body":
				if !isLoopHeader(d) {
					continue // the body of a for loop with a condition
				}
			default:
				continue
			}
			if !yield(overItems) {
				return
			}
		}
	}
}

// InRangeOverItems reports whether the innermost loop around block b goes
// over a collection's items (for _, m := range members), rather than
// repeating on a condition or forever (a polling loop).
func InRangeOverItems(b *ssa.BasicBlock) bool {
	for overItems := range loopsAround(b) {
		return overItems
	}
	return false
}

// onlyLoopsOverItems reports whether every loop around block b goes over
// the items of a collection, so that the function returns once they are
// done.
func onlyLoopsOverItems(b *ssa.BasicBlock) bool {
	for overItems := range loopsAround(b) {
		if !overItems {
			return false
		}
	}
	return true
}

// countsToLen reports whether a for loop's condition compares with the
// length of a collection: a loop over its items by index.
func countsToLen(header *ssa.BasicBlock) bool {
	if len(header.Instrs) == 0 {
		return false
	}
	ifi, ok := header.Instrs[len(header.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	cmp, ok := ifi.Cond.(*ssa.BinOp)
	if !ok || (cmp.Op != token.LSS && cmp.Op != token.LEQ && cmp.Op != token.GTR && cmp.Op != token.GEQ) {
		return false
	}
	for _, v := range []ssa.Value{cmp.X, cmp.Y} {
		if call, ok := v.(*ssa.Call); ok {
			if b, ok := call.Common().Value.(*ssa.Builtin); ok && b.Name() == "len" {
				return true
			}
		}
	}
	return false
}

// isLoopHeader reports whether b is the target of a back edge: a
// predecessor it dominates.
func isLoopHeader(b *ssa.BasicBlock) bool {
	for _, p := range b.Preds {
		if b.Dominates(p) {
			return true
		}
	}
	return false
}

func reach(from *ssa.BasicBlock, next func(*ssa.BasicBlock) []*ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := map[*ssa.BasicBlock]bool{}
	work := []*ssa.BasicBlock{from}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		for _, n := range next(b) {
			if !seen[n] {
				seen[n] = true
				work = append(work, n)
			}
		}
	}
	return seen
}

// onCycleAvoiding reports whether b lies on a cycle that does not pass
// through avoid.
func onCycleAvoiding(b, avoid *ssa.BasicBlock) bool {
	return reachesAvoiding(b.Succs, b, avoid)
}

// handsBackOther reports whether another return of fn hands back, as
// result r, a pool that is not the new one: the caller's own client
// from an option (google.golang.org/api's transport/http.NewClient returns
// settings.HTTPClient when WithHTTPClient set it). Like a merge with a
// parameter, the result is new only on some calls.
func handsBackOther(fn *ssa.Function, site ssa.Value, r int) bool {
	derived := derivedValues(site)
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || r >= len(ret.Results) {
			continue
		}
		v := stripConversions(ret.Results[r])
		if derived[v] || derived[ret.Results[r]] {
			continue
		}
		if c, ok := v.(*ssa.Const); ok && c.IsNil() {
			continue
		}
		if _, ok := v.(*ssa.Phi); ok {
			continue // merge() judged it
		}
		// A field of a value the function built from its arguments (the
		// options' settings), not of the receiver or a package variable:
		// "if s.client != nil { return s.client }" without storing the new
		// one is broken memoisation, reported as such.
		if load, ok := v.(*ssa.UnOp); ok && load.Op == token.MUL && mayHold(v.Type()) {
			if _, ok := load.X.(*ssa.FieldAddr); ok {
				switch root, _ := rootOf(load.X); root.(type) {
				case *ssa.Global, *ssa.Parameter, *ssa.FreeVar:
				default:
					return true
				}
			}
		}
	}
	return false
}

// derivedValues is v and what the function makes from it: the results of
// calls it is passed to (a client, then a stream), and their parts.
func derivedValues(v ssa.Value) map[ssa.Value]bool {
	out := map[ssa.Value]bool{v: true}
	work := []ssa.Value{v}
	for len(work) > 0 && len(out) < 64 {
		x := work[len(work)-1]
		work = work[:len(work)-1]
		refs := x.Referrers()
		if refs == nil {
			continue
		}
		for _, ref := range *refs {
			var next []ssa.Value
			switch in := ref.(type) {
			case *ssa.Call:
				next = append(next, in)
			case *ssa.Extract, *ssa.MakeInterface, *ssa.ChangeType, *ssa.Phi, *ssa.FieldAddr, *ssa.Field, *ssa.UnOp:
				next = append(next, in.(ssa.Value))
			case *ssa.Store:
				if root, _ := rootOf(in.Addr); in.Val == x {
					if alloc, ok := root.(*ssa.Alloc); ok {
						next = append(next, alloc) // &Client{Transport: t}
					}
				}
			}
			for _, n := range next {
				if !out[n] {
					out[n] = true
					work = append(work, n)
				}
			}
		}
	}
	return out
}

// ChurnCall is a call to a function that churns a pool on every call.
type ChurnCall struct {
	Call   ssa.CallInstruction
	Callee *types.Func
	Churn  *Churn
	// PerCall is set when the call registers Callee with a framework that
	// calls it per request (pb.RegisterFooServer(s, impl)): the finding
	// is the registration's, whatever runs the registering code.
	PerCall *Reason
}

// Repeats reports whether the call, in fn, runs many times per call of
// fn (see Func.Repeats).
func (c *ChurnCall) Repeats(fn *Func) bool { return fn.Repeats(c.Call.Block()) }

// Reason says why a function runs per call.
type Reason struct {
	Entry *ssa.Function // the entry point the chain starts from
	Why   string        // "ServeHTTP is an HTTP handler"
	Chain Chain         // entry -> ... -> this function
	// fromLoop is set when the chain starts at a loop rather than at an
	// entry point: it spreads through static calls only (a loop over a
	// config's modules calling Provision through an interface is a loop
	// over items, not per request).
	fromLoop bool
	// byName is set when the chain starts at an operation of a library
	// value, per call only by its name (operation).
	byName bool
	// periodic is set when the entry point runs on a schedule (a scrape,
	// a reconcile), not per request.
	periodic bool
}

// summary is the part of a Func that callers in this package use.
type summary struct {
	state    summaryState
	fresh    []Fresh
	freshPos map[int]token.Pos // same-package origin of each fresh result
	freshAt  map[int]SourcePos // and where in another package it is made, if it is
	churn    *Churn
	churnPos token.Pos
	// Where the churn comes from: a site of this function, or a callee
	// of this package; decides whether it is already reported below.
	churnSite *Site
	churnFrom *Func
	params    []ParamFlow
	paramDone bool
	// pendingFresh: results that are what a pending call returned.
	pendingFresh []pendingResult
}

// summaryState is how far summarize has got with a function.
type summaryState int

const (
	notSummarized summaryState = iota
	summarizing                // a call cycle back to it sees what it has so far
	summarized
)

type pkgRun struct {
	pass  *analysis.Pass
	cfg   *Config
	res   *Result
	entry *entryPoints
	// factories maps a struct field to the functions stored in it;
	// globalFuncs a package variable to those stored in it or its map.
	factories   map[*types.Var][]*ssa.Function
	globalFuncs map[*ssa.Global][]*ssa.Function
	// convertedFuncs maps a named function type to the functions
	// converted to it, which its methods run by calling their receiver.
	convertedFuncs map[*types.Named][]*ssa.Function
	// impls caches the implementations of interface methods; named
	// lists the types they are looked for in.
	impls map[implKey][]*ssa.Function
	// implRelease caches implsRelease by interface method.
	implRelease map[*types.Func]bool
	named       []*types.Named
	localNamed  []*types.Named
}

// traceOut receives every site's fate (CHURNLINT_TRACE=1 sends it to
// stderr): how a miss on real code is read, without a debugger
// (testdata/realworld/README.md). nil turns tracing off.
var traceOut = traceWriter()

func traceWriter() io.Writer {
	if os.Getenv("CHURNLINT_TRACE") != "" {
		return os.Stderr
	}
	return nil
}

func run(pass *analysis.Pass) (any, error) {
	cfg := pass.ResultOf[ConfigAnalyzer].(*Config)
	res := &Result{ByFn: make(map[*ssa.Function]*Func), Files: make(map[*token.File]bool), Config: cfg}
	for _, f := range pass.Files {
		res.Files[pass.Fset.File(f.FileStart)] = cfg.ReportsIn(pass.Fset, f)
	}
	if !relevant(pass, cfg.Catalog) {
		return res, nil
	}
	pkg, funcs := buildSSA(pass)
	res.Pkg = pkg
	a := &pkgRun{pass: pass, cfg: cfg, res: res, entry: newEntryPoints(cfg.EntryPoints),
		impls: make(map[implKey][]*ssa.Function), implRelease: make(map[*types.Func]bool)}
	res.run = a
	for _, fn := range funcs {
		if _, dup := res.ByFn[fn]; dup {
			continue
		}
		f := &Func{SSA: fn, inLoop: loopBlocks(fn)}
		res.Funcs = append(res.Funcs, f)
		res.ByFn[fn] = f
	}
	a.collectFactories()
	a.collectGlobalFuncs()
	a.collectConvertedFuncs()
	for _, f := range res.Funcs {
		a.summarize(f)
	}
	a.markPerCall()
	a.matchDroppedCalls()
	a.exportFacts()
	a.exportDroppedCalls()
	return res, nil
}

// Reports says whether checks report diagnostics at pos.
func (r *Result) Reports(fset *token.FileSet, pos token.Pos) bool {
	if !pos.IsValid() {
		return false
	}
	return r.Files[fset.File(pos)]
}

// funcOf returns the Func of a function of this package, or nil.
func (a *pkgRun) funcOf(fn *ssa.Function) *Func {
	if fn == nil {
		return nil
	}
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	return a.res.ByFn[fn]
}

// summarize finds the function's sites and computes what its callers need
// to know. Same-package callees are summarised first, on demand; a cycle
// of calls sees the conservative empty summary.
func (a *pkgRun) summarize(f *Func) {
	if f.state != notSummarized {
		return
	}
	f.state = summarizing
	defer func() { f.state = summarized }()
	fn := f.SSA
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			a.sitesAt(f, instr)
		}
	}
	for _, s := range f.Sites {
		s.Fate = a.fateOf(fn, s.Value, accessPath{})
		if b := s.Instr.Block(); b != nil && b.Index < len(f.inLoop) && f.inLoop[b.Index] && !onlyLoopsOverItems(b) {
			// A defer in a loop runs when the function returns, not when
			// the iteration ends: inside a ticker, channel or endless loop
			// it never runs (videra's PingDataNodes). In loops over the
			// items of collections, every iteration's pool is closed at
			// the return (etcd's loop over members).
			s.Fate.Releases = withoutDefers(s.Fate.Releases)
		}
		if traceOut != nil {
			fmt.Fprintf(traceOut, "TRACE %s %s chain=%v kept=%q at %s returned=%v released=%v used=%v cond=%v memo=%v held=%v\n", a.pass.Fset.Position(s.Instr.Pos()), fn.String(), s.Chain, s.Fate.Kept, a.pass.Fset.Position(s.Fate.KeptAt), s.Fate.Returned, s.Fate.Released(), s.Fate.Used, s.Fate.Cond(), s.Fate.MemoField, s.Fate.Held)
		}
	}
	a.summarizeResults(f)
	a.summarizePending(f)
}

// summarizeResults fills the fresh-result and churn parts of the summary.
func (a *pkgRun) summarizeResults(f *Func) {
	for _, s := range f.Sites {
		if s.Fate.Kept != "" || s.Fate.Conditional || s.Fate.MemoField != nil {
			continue
		}
		given := a.givenAt(f, s)
		if s.Fate.OrNilParam > 0 {
			given = &Given{Param: s.Fate.OrNilParam - 1, WhenNil: true}
		}
		for _, r := range s.Fate.Returned {
			if hasFresh(f.fresh, r) || handsBackOther(f.SSA, s.Value, r) {
				continue
			}
			owned := s.Owned || !sameType(s.Value.Type(), resultType(f.SSA, r))
			f.fresh = append(f.fresh, Fresh{
				Result: r,
				Kind:   s.Kind,
				Chain:  s.Chain.prepend(funcStep(f.SSA)),
				Owned:  owned,
				At:     s.at(a.pass.Fset),
				Given:  given,
			})
			if f.freshPos == nil {
				f.freshPos, f.freshAt = make(map[int]token.Pos), make(map[int]SourcePos)
			}
			f.freshPos[r], f.freshAt[r] = s.origin(), s.At
		}
		if s.Fate.Dropped() && s.Fate.Used && f.churn == nil && s.Fate.OrNilParam == 0 {
			f.churn = &Churn{
				Kind:     s.Kind,
				Chain:    s.Chain.prepend(funcStep(f.SSA)),
				Released: s.Fate.Released(),
				At:       s.at(a.pass.Fset),
				Optional: s.Fate.MergesShared != "",
			}
			f.churnPos, f.churnSite = s.origin(), s
		}
	}
	if f.churn != nil {
		return
	}
	// A function that calls a churning function churns too.
	for _, b := range f.SSA.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee := call.Common().StaticCallee()
			if g := a.funcOf(callee); g != nil && g.SSA.Parent() == nil {
				a.summarize(g)
				if g.churn != nil && len(g.churn.Chain) < maxChain {
					c := *g.churn
					c.Chain = c.Chain.prepend(funcStep(f.SSA))
					f.churn, f.churnPos, f.churnFrom = &c, g.churnPos, g
					return
				}
			} else if c := a.importedChurn(callee); c != nil {
				cc := *c
				cc.Chain = cc.Chain.prepend(funcStep(f.SSA))
				f.churn = &cc
				return
			}
		}
	}
}

// withoutDefers drops the deferred calls from a list of releases.
func withoutDefers(calls []ssa.CallInstruction) []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for _, c := range calls {
		if _, ok := c.(*ssa.Defer); !ok {
			out = append(out, c)
		}
	}
	return out
}

// churnReported says whether the pool f churns is reported where it is
// created, because that function runs per call there; callers in other
// packages then need not report it again.
func (f *Func) churnReported(depth int) bool {
	switch {
	case f.churnSite != nil:
		return f.PerCall != nil || f.churnSite.Repeats()
	case f.churnFrom != nil && depth < maxChain:
		return f.PerCall != nil || f.churnFrom.churnReported(depth+1)
	case f.churn != nil:
		return f.churn.Reported
	}
	return false
}

// maxChain bounds how deep a chain of calls is followed.
const maxChain = 8

func (s *Site) origin() token.Pos {
	if s.Origin.IsValid() {
		return s.Origin
	}
	return s.Instr.Pos()
}

// Key identifies the pool's creation: two sites with the same key obtain
// the same pool (one creates it, the other calls what does).
func (s *Site) Key(fset *token.FileSet) SourcePos { return s.at(fset) }

func (s *Site) at(fset *token.FileSet) SourcePos {
	if s.At.IsValid() {
		return s.At
	}
	return sourcePos(fset, s.origin())
}

func hasFresh(fs []Fresh, r int) bool {
	for _, f := range fs {
		if f.Result == r {
			return true
		}
	}
	return false
}

func resultType(fn *ssa.Function, i int) types.Type {
	res := fn.Signature.Results()
	if i < res.Len() {
		return res.At(i).Type()
	}
	return nil
}

func sameType(a, b types.Type) bool {
	if b == nil {
		return false
	}
	if types.Identical(a, b) {
		return true
	}
	// A pool returned as an interface (http.RoundTripper) is still itself.
	_, isIface := b.Underlying().(*types.Interface)
	return isIface
}

// importedChurn returns the churn fact of a function of another package.
func (a *pkgRun) importedChurn(callee *ssa.Function) *Churn {
	if ff := a.importedFact(callee); ff != nil {
		return ff.Churn
	}
	return nil
}

// importedFact returns the FuncFact of a function of another package.
func (a *pkgRun) importedFact(callee *ssa.Function) *FuncFact {
	if callee == nil {
		return nil
	}
	obj, ok := callee.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg() == a.pass.Pkg {
		return nil
	}
	obj = obj.Origin()
	ff := new(FuncFact)
	if a.pass.ImportObjectFact(obj, ff) {
		return ff
	}
	return nil
}

// dependencyCode reports whether this package is a dependency's code, in
// the module cache or a vendor directory, whose own findings no driver
// shows: go vet, golangci-lint and the command report only the packages
// they were given.
func (a *pkgRun) dependencyCode() bool {
	if len(a.pass.Files) == 0 {
		return false
	}
	name := filepath.ToSlash(a.pass.Fset.Position(a.pass.Files[0].Pos()).Filename)
	if strings.Contains(name, "/vendor/") {
		return true
	}
	modCache := os.Getenv("GOMODCACHE")
	if modCache == "" {
		modCache = filepath.Join(build.Default.GOPATH, "pkg", "mod")
	}
	return strings.HasPrefix(name, filepath.ToSlash(modCache)+"/")
}

// exportFacts publishes the summaries of functions that other packages can
// call by name.
func (a *pkgRun) exportFacts() {
	any := false
	for _, f := range a.res.Funcs {
		obj, ok := f.SSA.Object().(*types.Func)
		if !ok || f.SSA.Parent() != nil || !obj.Exported() || obj.Pkg() != a.pass.Pkg {
			continue
		}
		a.paramFlows(f)
		ff := &FuncFact{Fresh: f.fresh, Churn: f.churn}
		if f.churn != nil {
			c := *f.churn
			// Reported where it is created only if that package's
			// findings reach a user: never a module in the module cache
			// or a vendored one (helm's getter, seen only by its callers).
			// A dependency's pool made only under a setting, the shared
			// default otherwise (certmagic's OCSP client with a proxy),
			// is not put to callers that may never set it.
			dep := a.dependencyCode()
			c.Reported = (f.churnReported(0) && !dep) || (dep && c.Optional)
			ff.Churn = &c
		}
		for _, p := range f.params {
			if p.Use != Keeps {
				ff.Params = append(ff.Params, p)
			}
		}
		if len(ff.Fresh) == 0 && ff.Churn == nil && len(ff.Params) == 0 {
			continue
		}
		a.pass.ExportObjectFact(obj, ff)
		any = true
	}
	if a.exportFuncVarFacts() {
		any = true
	}
	if any {
		a.pass.ExportPackageFact(new(PackageFact))
	}
}

// exportFuncVarFacts exports, for each exported package variable that
// holds a function (var SendHTTPRequest = func(...) error {...}, stubbable
// by tests), the summary of the first function stored in it that makes a
// pool: a caller in another package that calls the variable per request
// then churns it (grafana/alerting's receivers, sending per alert).
func (a *pkgRun) exportFuncVarFacts() bool {
	any := false
	// In name order, so that every run exports the same facts the same way.
	globals := make([]*ssa.Global, 0, len(a.globalFuncs))
	for g := range a.globalFuncs {
		globals = append(globals, g)
	}
	sort.Slice(globals, func(i, j int) bool { return globals[i].Name() < globals[j].Name() })
	for _, g := range globals {
		fns := a.globalFuncs[g]
		v, ok := g.Object().(*types.Var)
		if !ok || !v.Exported() || v.Pkg() != a.pass.Pkg {
			continue
		}
		for _, fn := range fns {
			f := a.funcOf(fn)
			if f == nil {
				continue
			}
			a.summarize(f)
			if f.churn == nil && len(f.fresh) == 0 {
				continue
			}
			ff := &FuncFact{Fresh: f.fresh}
			if f.churn != nil {
				c := *f.churn
				c.Reported = f.churnReported(0) && !a.dependencyCode()
				ff.Churn = &c
			}
			a.pass.ExportObjectFact(v, ff)
			any = true
			break
		}
	}
	return any
}

// loopBlocks marks the blocks of fn that lie on a cycle.
func loopBlocks(fn *ssa.Function) []bool {
	n := len(fn.Blocks)
	in := make([]bool, n)
	if n == 0 {
		return in
	}
	// Tarjan's strongly connected components.
	index := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		on[v] = true
		for _, s := range fn.Blocks[v].Succs {
			w := s.Index
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if on[w] {
				low[v] = min(low[v], index[w])
			}
			if w == v {
				in[v] = true
			}
		}
		if low[v] == index[v] {
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 {
				for _, w := range comp {
					in[w] = true
				}
			}
		}
	}
	for v := range fn.Blocks {
		if index[v] < 0 {
			visit(v)
		}
	}
	return in
}

// StepOf names a function as chains do: package-qualified, methods by
// their receiver type, function literals after their parent.
func StepOf(fn *ssa.Function) Step { return funcStep(fn) }

// AnalyzerDoc extracts the "# Analyzer name" section of a package's doc.go
// source, the way the golang.org/x/tools passes document themselves.
func AnalyzerDoc(src, name string) string {
	header := "// # Analyzer " + name
	i := strings.Index(src, header)
	if i < 0 {
		return name
	}
	var lines []string
	for _, line := range strings.Split(src[i+len(header):], "\n")[1:] {
		if !strings.HasPrefix(line, "//") {
			break
		}
		line = strings.TrimPrefix(strings.TrimPrefix(line, "//"), " ")
		if strings.HasPrefix(line, "# ") {
			break
		}
		lines = append(lines, line)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
