package clientchurn

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// Reporting: the words of clientchurn's findings, the chain of calls
// that makes a site per call, and where each diagnostic points.

// perCall says why f's code at a site runs per call, with the chain of
// calls from the entry point, or "" when nothing says it does; repeats
// says whether the site is in a loop of f (lifetime.Func.Repeats).
func perCall(f *lifetime.Func, repeats bool) (why string, chain lifetime.Chain) {
	if f.PerCall != nil {
		return f.PerCall.Why, f.PerCall.Chain
	}
	if repeats {
		return "it runs in a loop", lifetime.Chain{lifetime.StepOf(f.SSA)}
	}
	return "", nil
}

func (r *reporter) site(f *lifetime.Func, s *lifetime.Site) {
	pos := s.Instr.Pos()
	if !r.res.Reports(r.pass.Fset, pos) || s.Fate.Kept != "" {
		return
	}
	fnName := r.name(lifetime.StepOf(f.SSA))
	if s.Fate.MemoField != nil {
		chain := r.chain(append(lifetime.Chain{lifetime.StepOf(f.SSA)}, s.Chain...))
		msg := fmt.Sprintf(
			"%s checks %s for nil but never stores the new %s in it (%s): every call builds a new pool; assign it to %s",
			fnName, s.Fate.MemoName, s.Kind.Phrase(), chain, s.Fate.MemoName)
		r.report(pos, s, nil, msg, r.memoFix(s), "the new pool is not assigned to a local on a line of its own")
		return
	}
	if !s.Fate.Dropped() || !s.Fate.Used || s.Fate.Conditional {
		return
	}
	why, pchain := perCall(f, s.Repeats())
	if why == "" || (f.PerCall == nil && s.Fate.Released() && lifetime.InRangeOverItems(s.Instr.Block())) {
		// A loop over a collection, in a function nothing calls per
		// request, making and closing a pool per item (a client per
		// cluster member): each item needs its own connection anyway.
		// A polling loop that dials and closes per tick is still churn.
		return
	}
	chain := r.chain(append(append(lifetime.Chain(nil), pchain...), s.Chain...))
	var entry *lifetime.Reason
	if f.PerCall != nil && f.PerCall.Entry != f.SSA {
		entry = f.PerCall
	}
	msg := r.message(fnName, s.Kind.Phrase(), chain, why, s.Fate.Released())
	if s.Fate.FreshKey {
		msg = fmt.Sprintf("%s creates a new %s per call and stores it in a map under a key made new on every call (%s; %s): the map is no cache, each call adds a pool with its own connections; create it once and share it",
			fnName, s.Kind.Phrase(), chain, why)
	}
	fix, noFix := r.hoistFix(s)
	r.report(pos, s, entry, msg, fix, edit.NoFix(noFix))
}

func (r *reporter) churnCall(f *lifetime.Func, c *lifetime.ChurnCall) {
	pos := c.Call.Pos()
	if !r.res.Reports(r.pass.Fset, pos) || c.Churn.Reported {
		return
	}
	why, pchain := perCall(f, c.Repeats(f))
	if c.PerCall != nil {
		why, pchain = c.PerCall.Why, nil
	}
	if why == "" {
		return
	}
	chain := r.chain(append(append(lifetime.Chain(nil), pchain...), c.Churn.Chain...))
	msg := r.message(r.name(lifetime.StepOf(f.SSA)), c.Churn.Kind.Phrase(), chain, why, c.Churn.Released)
	msg = edit.NoFix("the pool is built in " + r.name(c.Churn.Chain[len(c.Churn.Chain)-2]) + ", another package").Explain(msg)
	if d := r.churned[c.Churn.At]; d != nil {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos,
			Message: "the same pool is also made per call here (" + chain + "; " + why + ")"})
		return
	}
	d := &analysis.Diagnostic{Pos: r.nodeStart(pos), End: r.nodeEnd(pos), Category: "clientchurn", Message: msg}
	r.createdAt(d, c.Churn.At)
	r.churned[c.Churn.At] = d
	r.churnOrder = append(r.churnOrder, c.Churn.At)
}

func (r *reporter) message(fn, kind, chain, why string, released bool) string {
	if released {
		return fmt.Sprintf("%s creates a new %s per call and closes it (%s; %s): no connection is ever reused, so each call pays a TCP+TLS handshake; create it once (package-level var or a field set in the constructor) and reuse it",
			fn, kind, chain, why)
	}
	return fmt.Sprintf("%s creates a new %s per call and drops it (%s; %s): each call pays a TCP+TLS handshake and strands idle connections and their goroutines; create it once (package-level var or a field set in the constructor) and reuse it",
		fn, kind, chain, why)
}

// report sends a finding on site s with its fix, or with why it has none.
func (r *reporter) report(pos token.Pos, s *lifetime.Site, entry *lifetime.Reason, msg string, fix *analysis.SuggestedFix, why edit.NoFix) {
	d := analysis.Diagnostic{Pos: pos, End: r.nodeEnd(pos), Category: "clientchurn", Message: msg}
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	} else {
		d.Message = why.Explain(d.Message)
	}
	if s.Origin.IsValid() && s.Origin != pos {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: s.Origin, Message: "the pool is created here"})
	} else {
		r.createdAt(&d, s.At)
	}
	if entry != nil {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: entry.Entry.Pos(), Message: entry.Why})
	}
	if d.End.IsValid() {
		d.Pos = r.nodeStart(pos)
	}
	r.pass.Report(d)
}

// createdAt points d at where a pool made in another package is created:
// as related information where the driver loaded that file, else in words.
func (r *reporter) createdAt(d *analysis.Diagnostic, at lifetime.SourcePos) {
	if !at.IsValid() {
		return
	}
	if pos := at.In(r.pass.Fset); pos.IsValid() {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: "the pool is created here"})
		return
	}
	d.Message += " (created at " + at.String() + ")"
}

// chain renders a chain of calls, without this package's name.
func (r *reporter) chain(c lifetime.Chain) string { return c.In(r.pass.Pkg.Name()) }

// name renders a step, without this package's name.
func (r *reporter) name(s lifetime.Step) string { return s.In(r.pass.Pkg.Name()) }

// nodeStart and nodeEnd bound the expression that creates the pool SSA
// positioned at pos.
func (r *reporter) nodeStart(pos token.Pos) token.Pos {
	if n := edit.CreationAt(r.pass, pos); n != nil {
		return n.Pos()
	}
	return pos
}

func (r *reporter) nodeEnd(pos token.Pos) token.Pos {
	if n := edit.CreationAt(r.pass, pos); n != nil {
		return n.End()
	}
	return token.NoPos
}
