package release

import (
	"fmt"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// Kind is the sort of problem an owner has with a pool.
type Kind int

const (
	// NoRelease: the owner has no release method at all.
	NoRelease Kind = iota
	// Missed: its release methods do not release the field.
	Missed
	// WrongMethod: it releases the field only in a method its host never
	// calls.
	WrongMethod
	// PromotedNoop: its only release methods are promoted from an
	// embedded value, which cannot reach the owner's own pools (a
	// plugin relying on its base's Shutdown).
	PromotedNoop
)

// Problem is what an owner lacks to release one of its pools, with the
// fix that gives it, or why there is none.
type Problem struct {
	Kind Kind
	// Owner is the owner; for NoRelease, with one field per pool.
	Owner *Owner
	// Field is the field not released (Missed) or released in the wrong
	// method (WrongMethod).
	Field *Field
	// Method is the release method that misses the field (Missed), or
	// the one that releases it (WrongMethod).
	Method *types.Func
	// Host is the host's lifecycle interface, or nil; HostRelease its
	// release methods (WrongMethod).
	Host        *types.Named
	HostRelease []string
	// SetsNil: the missing release method sets the field to nil,
	// forgetting the pool without closing it (Missed).
	SetsNil bool
	// Via is the embedded field Method is promoted through (PromotedNoop).
	Via *types.Var
	// Library names the exported constructor that hands the owner to
	// users who cannot reach its connections (NoRelease; see
	// libraryOwner), or "".
	Library string

	Fix   *analysis.SuggestedFix
	NoFix edit.NoFix // why Fix is nil
}

// Check returns the owner's problems, one per pool at most.
func (ow *Owners) Check(o *Owner) []Problem {
	methods := ow.releaseMethods(o.Named)
	host := ow.hostInterface(o.Named)
	if len(methods) == 0 {
		library := ow.libraryOwner(o)
		if !ow.reportable(o.Named) && library == "" {
			return nil
		}
		// One field per pool: the one it was stored in first.
		first := &Owner{Named: o.Named}
		for _, pool := range ow.byPool(o) {
			first.Fields = append(first.Fields, pool[0])
		}
		p := Problem{Kind: NoRelease, Owner: first, Host: host, Library: library}
		if fix, ok := ow.addMethodFix(first, host); ok && (host != nil || ow.driver(o.Named) == nil) {
			p.Fix = &fix
		} else if ok {
			// A Close that nothing calls releases nothing.
			d := ow.driver(o.Named).Name()
			p.NoFix = edit.NoFix(fmt.Sprintf("its host drives it through %s, which has no release method, so a new Close would never be called; release the pools when the host is done with it (when Run returns), or give %s a release method the host calls", d, d))
		} else {
			p.NoFix = edit.NoFix("the method could not be written after the declaration of " + o.Named.Obj().Name())
			for _, of := range first.Fields {
				if releaseStmt("x", of) == "" {
					p.NoFix = noReleaseMethod(of)
					break
				}
			}
		}
		return []Problem{p}
	}
	var out []Problem
	// A pool held in two fields (the connection, and a literal that
	// closes it: terraform's rpcapi.Client) is released through either.
	for _, pool := range ow.byPool(o) {
		var releasing []*types.Func
		released := pool[0]
		for _, m := range methods {
			for _, of := range pool {
				if ow.releases(o.Named, m, of.Var) {
					if len(releasing) == 0 {
						released = of
					}
					releasing = append(releasing, m)
					break
				}
			}
		}
		if len(releasing) == 0 {
			if own := ownMethods(o.Named, methods); len(own) > 0 {
				out = append(out, ow.missed(o, pool, own, host))
			} else {
				out = append(out, ow.promotedNoop(o, pool, methods, host))
			}
			continue
		}
		if host != nil && !anyIn(releasing, host) {
			out = append(out, ow.wrongMethod(o, released, releasing, host))
		}
	}
	return out
}

// releasable names the field of a pool that a release can be written for
// (the conn, not the literal that captured it).
func releasable(pool []*Field) *Field {
	for _, of := range pool {
		if releaseStmt("x", of) != "" {
			return of
		}
	}
	return pool[0]
}

// hostMethod picks the release method the host calls, if one is.
func hostMethod(methods []*types.Func, host *types.Named) *types.Func {
	m := methods[0]
	if host != nil {
		for _, cand := range methods {
			if anyIn([]*types.Func{cand}, host) {
				m = cand
			}
		}
	}
	return m
}

func (ow *Owners) missed(o *Owner, pool []*Field, methods []*types.Func, host *types.Named) Problem {
	missed, m := releasable(pool), hostMethod(methods, host)
	p := Problem{Kind: Missed, Owner: o, Field: missed, Method: m, Host: host,
		SetsNil: setsNil(ow.res.Pkg.Prog.FuncValue(m), missed.Var)}
	if fix, ok := ow.insertReleaseFix(m, missed); ok {
		p.Fix = &fix
	} else {
		p.NoFix = noReleaseMethod(missed)
	}
	return p
}

// promotedNoop describes an owner whose release methods all come from an
// embedded value: the fix gives it its own, which releases the pools and
// then calls the embedded one.
func (ow *Owners) promotedNoop(o *Owner, pool []*Field, methods []*types.Func, host *types.Named) Problem {
	of, m := releasable(pool), hostMethod(methods, host)
	via := promotedVia(o.Named, m)
	p := Problem{Kind: PromotedNoop, Owner: o, Field: of, Method: m, Host: host, Via: via}
	if fix, why := ow.overrideFix(o, of, m, via); why == "" {
		p.Fix = &fix
	} else {
		p.NoFix = why
	}
	return p
}

// releases reports whether release method m of owner n releases field: a
// method n declares, by what it does; a method promoted from an embedded
// field, only when that embedded value is what holds the pool (it cannot
// reach n's other fields: Base's no-op Shutdown releases nothing of
// Moderation's).
func (ow *Owners) releases(n *types.Named, m *types.Func, field *types.Var) bool {
	if via := promotedVia(n, m); via != nil {
		return via == field
	}
	return ow.res.ReleasesField(ow.res.Pkg.Prog.FuncValue(m), field)
}

// promotedVia returns the embedded field of n through which method m is
// promoted, or nil when n declares m itself.
func promotedVia(n *types.Named, m *types.Func) *types.Var {
	sel := types.NewMethodSet(types.NewPointer(n)).Lookup(m.Pkg(), m.Name())
	st, ok := n.Underlying().(*types.Struct)
	if sel == nil || len(sel.Index()) < 2 || !ok {
		return nil
	}
	return st.Field(sel.Index()[0])
}

// ownMethods keeps the methods n declares itself.
func ownMethods(n *types.Named, methods []*types.Func) []*types.Func {
	var out []*types.Func
	for _, m := range methods {
		if promotedVia(n, m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// setsNil reports whether method fn stores nil in field of its receiver.
func setsNil(fn *ssa.Function, field *types.Var) bool {
	if fn == nil || len(fn.Params) == 0 {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			st, ok := instr.(*ssa.Store)
			if !ok {
				continue
			}
			if k, ok := st.Val.(*ssa.Const); !ok || !k.IsNil() {
				continue
			}
			fa, ok := st.Addr.(*ssa.FieldAddr)
			if !ok || fa.X != fn.Params[0] {
				continue
			}
			if s, ok := fa.X.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct); ok && s.Field(fa.Field) == field {
				return true
			}
		}
	}
	return false
}

func (ow *Owners) wrongMethod(o *Owner, of *Field, releasing []*types.Func, host *types.Named) Problem {
	it := host.Underlying().(*types.Interface)
	p := Problem{Kind: WrongMethod, Owner: o, Field: of, Method: releasing[0], Host: host}
	var target *types.Func
	for i := 0; i < it.NumMethods(); i++ {
		if m := it.Method(i); ow.res.Config.IsReleaseName(m.Name()) {
			p.HostRelease = append(p.HostRelease, m.Name())
			if sel := types.NewMethodSet(types.NewPointer(o.Named)).Lookup(m.Pkg(), m.Name()); sel != nil && target == nil {
				target = sel.Obj().(*types.Func)
			}
		}
	}
	if target == nil {
		p.NoFix = edit.NoFix(o.Named.Obj().Name() + " has no " + strings.Join(p.HostRelease, "/") + " method of its own to release it in")
	} else if fix, ok := ow.insertReleaseFix(target, of); ok {
		p.Fix = &fix
	} else {
		p.NoFix = noReleaseMethod(of)
	}
	return p
}

// ForNewField returns the edits that make owner n release a pool which a
// fix of clientchurn is about to keep in field, a new field of n: the
// edits clientshutdown would offer on its next run, so that the two fixes
// together leave nothing to report. It returns no edits and no reason when
// n needs no release for the field (a plain wrapper without a lifecycle),
// and a reason when no edit can be made, or when n already has problems
// of its own here, whose fixes would collide with these.
func ForNewField(pass *analysis.Pass, res *lifetime.Result, n *types.Named, field *types.Var, site *lifetime.Site) ([]analysis.TextEdit, edit.NoFix) {
	if res.Pkg == nil {
		return nil, "the package was not analysed"
	}
	ow := Collect(pass, res)
	if o := ow.byType[n]; o != nil && len(ow.Check(o)) > 0 {
		return nil, edit.NoFix(n.Obj().Name() + " already keeps a pool it does not release; fix that (clientshutdown) first")
	}
	problems := ow.Check(&Owner{Named: n, Fields: []*Field{{Var: field, Site: site}}})
	if len(problems) == 0 {
		return nil, ""
	}
	if p := problems[0]; p.Fix == nil {
		return nil, p.NoFix
	}
	return problems[0].Fix.TextEdits, ""
}
