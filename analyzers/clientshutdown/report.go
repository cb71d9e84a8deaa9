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
	method := of.Site.Kind.ReleaseMethod()
	if obj, _, _ := types.LookupFieldOrMethod(of.Var.Type(), true, of.Var.Pkg(), method); obj == nil {
		if getter := release.ClientGetter(of.Var.Type()); getter != "" {
			return of.Var.Name() + "." + getter + "().CloseIdleConnections()"
		}
		if of.HoldsRoundTripper() {
			// An http.RoundTripper: what http.Client does with its Transport.
			return "CloseIdleConnections() on what " + of.Var.Name() + " holds"
		}
	}
	return of.Var.Name() + "." + method + "()"
}

// releasable reports whether the value in the field has a release to call
// (a method, a getter of its client, or a round tripper's forwarding); a
// finding on one that has none must not advise a call that does not exist
// (vault's api.Client, certmagic's Config).
func releasable(of *release.Field) bool {
	return of.HoldsFactory() || release.CanRelease(of)
}

// report sends d with p's fix, or with the reason it has none.
func (c *checker) report(d analysis.Diagnostic, fix *analysis.SuggestedFix, why edit.NoFix) {
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	} else {
		why.Note(&d)
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
	method, them := "Close", "it"
	if p.Host != nil {
		method = "Shutdown"
	} else if release.IsRoundTripper(o.Named) {
		method, want = "CloseIdleConnections", "CloseIdleConnections(), which http.Client.CloseIdleConnections calls on its Transport,"
	}
	var calls []string
	var related []analysis.RelatedInformation
	for _, of := range o.Fields {
		calls = append(calls, releaseCall(of))
		related = append(related, analysis.RelatedInformation{Pos: of.Site.Instr.Pos(),
			Message: "the pool in " + of.Var.Name() + " is created here " + c.describe(of)})
	}
	kept := fmt.Sprintf("%s %s in %s.%s", article(o.Fields[0].Site.Kind.Short()), o.Fields[0].Site.Kind.Short(), name, o.Fields[0].Var.Name())
	if len(o.Fields) > 1 {
		kept, them = fmt.Sprintf("%d pools in fields", len(o.Fields)), "them"
	}
	if p.Library != "" {
		related = append(related, analysis.RelatedInformation{Pos: o.Named.Obj().Pos(),
			Message: fmt.Sprintf("%s hands %s to its users, who cannot reach %s to close it: each %s they make leaks its connections", p.Library, name, o.Fields[0].Var.Name(), name)})
	}
	related = append(related, analysis.RelatedInformation{Pos: o.Named.Obj().Pos(),
		Message: fmt.Sprintf("add %s that calls %s", want, strings.Join(calls, ", "))})
	msg := fmt.Sprintf("%s keeps %s but has no %s method; add one that releases %s", name, kept, method, them)
	if method == "CloseIdleConnections" {
		msg = fmt.Sprintf("%s keeps %s but does not forward CloseIdleConnections to %s", name, kept, them)
	}
	c.report(analysis.Diagnostic{
		Pos:      o.Named.Obj().Pos(),
		Category: "clientshutdown",
		Message:  msg,
		Related:  related,
	}, p.Fix, p.NoFix)
}

func (c *checker) reportMissed(p release.Problem) {
	name, of, m := p.Owner.Named.Obj().Name(), p.Field, p.Method
	msg := fmt.Sprintf("%s.%s does not release %s.%s; call %s in it", name, m.Name(), name, of.Var.Name(), releaseCall(of))
	if !releasable(of) {
		msg = fmt.Sprintf("%s.%s does not release the pool in %s.%s, whose type has no release method", name, m.Name(), name, of.Var.Name())
	}
	if p.SetsNil {
		// Forgetting the pool does not close it: a dropped transport's
		// connections and goroutines live on (it is never collected).
		msg = fmt.Sprintf("%s.%s sets %s.%s to nil without releasing it; call %s first", name, m.Name(), name, of.Var.Name(), releaseCall(of))
	}
	c.report(analysis.Diagnostic{
		Pos:      m.Pos(),
		Category: "clientshutdown",
		Message:  msg,
		Related:  []analysis.RelatedInformation{{Pos: of.Site.Instr.Pos(), Message: "the pool is created here " + c.describe(of)}},
	}, p.Fix, p.NoFix)
}

// reportPromotedNoop reports an owner that relies on a release method
// promoted from an embedded value, which releases none of its pools.
func (c *checker) reportPromotedNoop(p release.Problem) {
	name, of, m := p.Owner.Named.Obj().Name(), p.Field, p.Method
	c.report(analysis.Diagnostic{
		Pos:      p.Owner.Named.Obj().Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s's %s, promoted from %s, does not release %s.%s; give %s its own %s",
			name, m.Name(), p.Via.Name(), name, of.Var.Name(), name, m.Name()),
		Related: []analysis.RelatedInformation{
			{Pos: of.Site.Instr.Pos(), Message: "the pool is created here " + c.describe(of)},
			{Pos: m.Pos(), Message: "the promoted " + m.Name() + " releases nothing of " + name},
			{Pos: p.Owner.Named.Obj().Pos(), Message: fmt.Sprintf("its own %s should call %s and then %s.%s", m.Name(), releaseCall(of), p.Via.Name(), m.Name())},
		},
	}, p.Fix, p.NoFix)
}

func (c *checker) reportWrongMethod(p release.Problem) {
	name, of, m := p.Owner.Named.Obj().Name(), p.Field, p.Method
	hostRelease := strings.Join(p.HostRelease, "/")
	c.report(analysis.Diagnostic{
		Pos:      m.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s releases %s.%s only in %s, which its host never calls; release it in %s",
			name, name, of.Var.Name(), m.Name(), hostRelease),
		Related: []analysis.RelatedInformation{
			{Pos: of.Site.Instr.Pos(), Message: "the pool is created here"},
			{Pos: m.Pos(), Message: fmt.Sprintf("the host shuts %s down through %s.%s, which never calls %s", name, p.Host.Obj().Name(), hostRelease, m.Name())},
		},
	}, p.Fix, p.NoFix)
}

func (c *checker) reportReplaced(f *lifetime.Func, s *lifetime.Site, field *types.Var) {
	n := lifetime.RecvNamed(f.SSA.Signature)
	c.report(analysis.Diagnostic{
		Pos:      s.Instr.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s replaces %s.%s with a new %s without closing the old one; close it",
			c.name(lifetime.StepOf(f.SSA)), n.Obj().Name(), field.Name(), s.Kind.Short()),
		Related: []analysis.RelatedInformation{{Pos: s.Instr.Pos(), Message: "each reload strands the old pool's idle connections and their goroutines"}},
	}, nil, "when the old pool may be released depends on requests still using it")
}

func (c *checker) reportPartial(f *lifetime.Func, s *lifetime.Site, ret *ssa.Return) {
	c.report(analysis.Diagnostic{
		Pos:      s.Instr.Pos(),
		Category: "clientshutdown",
		Message: fmt.Sprintf("%s releases the %s it creates on some paths but not at line %d; defer the release",
			c.name(lifetime.StepOf(f.SSA)), s.Kind.Short(), c.pass.Fset.Position(ret.Pos()).Line),
		Related: []analysis.RelatedInformation{
			{Pos: s.Instr.Pos(), Message: "the pool comes from " + c.chain(s.Chain)},
			{Pos: ret.Pos(), Message: "returns without releasing it"},
		},
	}, nil, "moving the release changes when it runs")
}
