package clientshutdown

import (
	"fmt"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/internal/release"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// describe says where the pool comes from: "(&http.Transport{}, created in NewModerator)".
func (c *checker) describe(of *release.Field) string {
	return fmt.Sprintf("(%s, created in %s)", c.chain(of.Site.Chain), c.name(lifetime.StepOf(of.Site.Fn.SSA)))
}

// article returns "a" or "an" for a noun phrase.
func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiouH", rune(s[0])) {
		return "an"
	}
	return "a"
}

// chain renders a chain of calls, without this package's name.
func (c *checker) chain(ch lifetime.Chain) string { return ch.In(c.pass.Pkg.Name()) }

// name renders a step, without this package's name.
func (c *checker) name(s lifetime.Step) string { return s.In(c.pass.Pkg.Name()) }

// releaseCall is the call that releases the field, for messages.
func releaseCall(of *release.Field) string {
	if of.HoldsFactory() {
		return "CloseIdleConnections() on the pool " + of.Var.Name() + " captures"
	}
	return of.Var.Name() + "." + of.Site.Kind.ReleaseMethod() + "()"
}

// report sends d with p's fix, or with the reason it has none.
func (c *checker) report(d analysis.Diagnostic, fix *analysis.SuggestedFix, why edit.NoFix) {
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	} else {
		d.Message = why.Explain(d.Message)
	}
	c.pass.Report(d)
}

func (c *checker) reportProblem(p release.Problem) {
	switch p.Kind {
	case release.NoRelease:
		c.reportNoRelease(p)
	case release.Missed:
		c.reportMissed(p)
	case release.WrongMethod:
		c.reportWrongMethod(p)
	case release.PromotedNoop:
		c.reportPromotedNoop(p)
	}
}

// reportNoRelease reports, once per owner, the pools it keeps without any
// method to release them.
func (c *checker) reportNoRelease(p release.Problem) {
	o := p.Owner
	name := o.Named.Obj().Name()
	want := "Close() error"
	if p.Host != nil {
		want = "Shutdown(ctx context.Context) error (as " + p.Host.Obj().Name() + " declares)"
	}
	var kept, calls []string
	var related []analysis.RelatedInformation
	for _, of := range o.Fields {
		kind := of.Site.Kind.Phrase()
		kept = append(kept, fmt.Sprintf("%s %s in %s.%s %s", article(kind), kind, name, of.Var.Name(), c.describe(of)))
		calls = append(calls, releaseCall(of))
		related = append(related, analysis.RelatedInformation{Pos: of.Site.Instr.Pos(), Message: "the pool in " + of.Var.Name() + " is created here"})
	}
	c.report(analysis.Diagnostic{
		Pos:      o.Named.Obj().Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s keeps %s but has no Shutdown, Close or Stop method to release it: its idle connections and their goroutines outlive it; add %s that calls %s",
			name, strings.Join(kept, ", "), want, strings.Join(calls, ", ")),
		Related: related,
	}, p.Fix, p.NoFix)
}

func (c *checker) reportMissed(p release.Problem) {
	name, of, m := p.Owner.Named.Obj().Name(), p.Field, p.Method
	kind := of.Site.Kind.Phrase()
	msg := fmt.Sprintf("%s.%s does not release %s.%s, %s %s %s: its idle connections and their goroutines outlive the owner; call %s in %s",
		name, m.Name(), name, of.Var.Name(), article(kind), kind, c.describe(of), releaseCall(of), m.Name())
	if p.SetsNil {
		// Forgetting the pool does not close it: a dropped transport's
		// connections and goroutines live on (it is never collected).
		msg = fmt.Sprintf("%s.%s sets %s.%s to nil without releasing it, %s %s %s: forgetting a pool does not close its idle connections or stop their goroutines; call %s before dropping it",
			name, m.Name(), name, of.Var.Name(), article(kind), kind, c.describe(of), releaseCall(of))
	}
	c.report(analysis.Diagnostic{
		Pos:      m.Pos(),
		Category: "clientshutdown",
		Message:  msg,
		Related:  []analysis.RelatedInformation{{Pos: of.Site.Instr.Pos(), Message: "the pool is created here"}},
	}, p.Fix, p.NoFix)
}

// reportPromotedNoop reports an owner that relies on a release method
// promoted from an embedded value, which releases none of its pools.
func (c *checker) reportPromotedNoop(p release.Problem) {
	name, of, m := p.Owner.Named.Obj().Name(), p.Field, p.Method
	kind := of.Site.Kind.Phrase()
	c.report(analysis.Diagnostic{
		Pos:      p.Owner.Named.Obj().Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s keeps %s %s in %s.%s %s, but its %s, promoted from %s, releases nothing of %s: its idle connections and their goroutines outlive it; give %s its own %s that calls %s and then %s.%s",
			name, article(kind), kind, name, of.Var.Name(), c.describe(of), m.Name(), p.Via.Name(), name,
			name, m.Name(), releaseCall(of), p.Via.Name(), m.Name()),
		Related: []analysis.RelatedInformation{
			{Pos: of.Site.Instr.Pos(), Message: "the pool is created here"},
			{Pos: m.Pos(), Message: "the promoted " + m.Name() + " releases nothing of " + name},
		},
	}, p.Fix, p.NoFix)
}

func (c *checker) reportWrongMethod(p release.Problem) {
	name, of, m := p.Owner.Named.Obj().Name(), p.Field, p.Method
	hostRelease := strings.Join(p.HostRelease, "/")
	c.report(analysis.Diagnostic{
		Pos:      m.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s releases %s.%s only in %s, but its host shuts it down through %s.%s, which never calls %s: release the %s in %s",
			name, name, of.Var.Name(), m.Name(), p.Host.Obj().Name(), hostRelease,
			m.Name(), of.Site.Kind.Phrase(), hostRelease),
		Related: []analysis.RelatedInformation{{Pos: of.Site.Instr.Pos(), Message: "the pool is created here"}},
	}, p.Fix, p.NoFix)
}

func (c *checker) reportReplaced(f *lifetime.Func, s *lifetime.Site, field *types.Var) {
	n := lifetime.RecvNamed(f.SSA.Signature)
	c.report(analysis.Diagnostic{
		Pos:      s.Instr.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s replaces %s.%s with a new %s without releasing the old one: each reload strands the old pool's idle connections and their goroutines; call CloseIdleConnections (or Close) on the old value once it is replaced",
			c.name(lifetime.StepOf(f.SSA)), n.Obj().Name(), field.Name(), s.Kind.Phrase()),
	}, nil, "when the old pool may be released depends on requests still using it")
}

func (c *checker) reportPartial(f *lifetime.Func, s *lifetime.Site, ret *ssa.Return) {
	c.report(analysis.Diagnostic{
		Pos:      s.Instr.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s releases the %s it creates (%s) on some paths but not on the one returning at line %d: release it with defer right after creating it",
			c.name(lifetime.StepOf(f.SSA)), s.Kind.Phrase(), c.chain(s.Chain), c.pass.Fset.Position(ret.Pos()).Line),
		Related: []analysis.RelatedInformation{{Pos: ret.Pos(), Message: "returns without releasing it"}},
	}, nil, "moving the release changes when it runs")
}
