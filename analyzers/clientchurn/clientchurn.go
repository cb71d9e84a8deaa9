package clientchurn

import (
	_ "embed"
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/lifetime"
	"github.com/churnlint/churnlint/analyzers/suppress"
)

//go:embed doc.go
var doc string

// Analyzer reports pools created per call and dropped.
var Analyzer = &analysis.Analyzer{
	Name:     "clientchurn",
	Doc:      lifetime.AnalyzerDoc(doc, "clientchurn"),
	URL:      "https://github.com/churnlint/churnlint#clientchurn",
	Requires: []*analysis.Analyzer{lifetime.Analyzer},
	Run:      suppress.Run(run), // honours //churnlint:ignore
}

func init() {
	lifetime.ShareFlags(&Analyzer.Flags) // the settings, as -<check>.<name>
}

func run(pass *analysis.Pass) (any, error) {
	res := pass.ResultOf[lifetime.Analyzer].(*lifetime.Result)
	if res.Pkg == nil {
		return nil, nil
	}
	r := &reporter{pass: pass, res: res}
	for _, f := range res.Funcs {
		for _, s := range f.Sites {
			r.site(f, s)
		}
		for _, c := range f.Churns {
			r.churnCall(f, c)
		}
	}
	return nil, nil
}

type reporter struct {
	pass  *analysis.Pass
	res   *lifetime.Result
	used  map[string]bool                      // names given to hoisted vars in this pass
	fixes map[token.Pos]*analysis.SuggestedFix // hoists already built, by the pool's position
	// fieldFixed names, for each type a fix adds a field to, the method
	// whose pool it is: one such fix per type and run, or their edits of
	// the type's declaration would collide.
	fieldFixed map[*types.Named]string
}

// perCall says why f's code at a site runs per call, with the chain of
// calls from the entry point, or "" when nothing says it does.
func perCall(f *lifetime.Func, inLoop bool) (why string, chain []string) {
	if f.PerCall != nil {
		return f.PerCall.Why, f.PerCall.Chain
	}
	if inLoop && !f.RunsOnce() {
		return "it runs in a loop", []string{lifetime.Label(f.SSA)}
	}
	return "", nil
}

func (r *reporter) site(f *lifetime.Func, s *lifetime.Site) {
	pos := s.Instr.Pos()
	if !r.res.Reports(r.pass.Fset, pos) || s.Fate.Kept != "" {
		return
	}
	fnName := r.local(lifetime.Label(f.SSA))
	if s.Fate.MemoField != nil {
		chain := r.chain(append([]string{lifetime.Label(f.SSA)}, s.Chain...))
		msg := fmt.Sprintf(
			"%s checks %s for nil but never stores the new %s in it (%s): every call builds a new pool; assign it to %s",
			fnName, s.Fate.MemoName, s.Kind.Phrase(), chain, s.Fate.MemoName)
		fix := r.memoFix(s)
		if fix == nil {
			msg += " (no automatic fix: the new pool is not assigned to a local on a line of its own)"
		}
		r.report(pos, s, nil, msg, fix)
		return
	}
	if !s.Fate.Dropped() || !s.Fate.Used || s.Fate.Conditional {
		return
	}
	why, pchain := perCall(f, s.InLoop())
	if why == "" {
		return
	}
	chain := r.chain(append(append([]string(nil), pchain...), s.Chain...))
	var entry *lifetime.Reason
	if f.PerCall != nil && f.PerCall.Entry != f.SSA {
		entry = f.PerCall
	}
	msg := r.message(fnName, s.Kind.Phrase(), chain, why, s.Fate.Released())
	fix, noFix := r.hoistFix(s)
	if fix == nil {
		msg += " (no automatic fix: " + noFix + ")"
	}
	r.report(pos, s, entry, msg, fix)
}

func (r *reporter) churnCall(f *lifetime.Func, c *lifetime.ChurnCall) {
	pos := c.Call.Pos()
	if !r.res.Reports(r.pass.Fset, pos) || c.Churn.Reported {
		return
	}
	why, pchain := perCall(f, c.InLoop(f))
	if why == "" {
		return
	}
	chain := r.chain(append(append([]string(nil), pchain...), c.Churn.Chain...))
	msg := r.message(r.local(lifetime.Label(f.SSA)), c.Churn.Kind.Phrase(), chain, why, c.Churn.Released) +
		" (no automatic fix: the pool is built in " + r.local(c.Churn.Chain[len(c.Churn.Chain)-2]) + ", another package)"
	r.pass.Report(analysis.Diagnostic{
		Pos: r.nodeStart(pos), End: r.nodeEnd(pos), Category: "clientchurn",
		Message: msg + " (created at " + c.Churn.At + ")",
	})
}

func (r *reporter) message(fn, kind, chain, why string, released bool) string {
	if released {
		return fmt.Sprintf("%s creates a new %s per call and closes it (%s; %s): no connection is ever reused, so each call pays a TCP+TLS handshake; create it once (package-level var or a field set in the constructor) and reuse it",
			fn, kind, chain, why)
	}
	return fmt.Sprintf("%s creates a new %s per call and drops it (%s; %s): each call pays a TCP+TLS handshake and strands idle connections and their goroutines; create it once (package-level var or a field set in the constructor) and reuse it",
		fn, kind, chain, why)
}

func (r *reporter) report(pos token.Pos, s *lifetime.Site, entry *lifetime.Reason, msg string, fix *analysis.SuggestedFix) {
	d := analysis.Diagnostic{Pos: pos, End: r.nodeEnd(pos), Category: "clientchurn", Message: msg}
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	if s.Origin.IsValid() && s.Origin != pos {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: s.Origin, Message: "the pool is created here"})
	} else if s.At != "" {
		d.Message += " (created at " + s.At + ")"
	}
	if entry != nil {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: entry.Entry.Pos(), Message: entry.Why})
	}
	if d.End.IsValid() {
		d.Pos = r.nodeStart(pos)
	}
	r.pass.Report(d)
}

// chain renders a chain of calls, without this package's name.
func (r *reporter) chain(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = r.local(p)
	}
	return strings.Join(out, " -> ")
}

func (r *reporter) local(label string) string {
	return strings.TrimPrefix(label, r.pass.Pkg.Name()+".")
}

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
