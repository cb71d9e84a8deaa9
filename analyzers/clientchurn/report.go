package clientchurn

import (
	"bytes"
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/internal/edit"
	"github.com/churnlint/churnlint/analyzers/knowledge"
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
	if !r.res.Reports(r.pass.Fset, pos) {
		return
	}
	if s.Fate.Overwrites != "" {
		r.overwrite(f, s)
		return
	}
	if s.Fate.IdentityKey != "" {
		// A cache is for repeated calls: keyed by identity, it misses
		// on every new value the callers pass.
		msg := fmt.Sprintf("%s caches the new %s by the identity of %s; key the map by %s",
			r.name(lifetime.StepOf(f.SSA)), s.Kind.Short(), s.Fate.IdentityOf, s.Fate.IdentityKey)
		notes := []analysis.RelatedInformation{{Pos: pos, Message: s.Fate.IdentityOf + " is an interface value: the map compares its dynamic type and value (a pointer by address), so a caller's new value for the same target misses and connects again, and the map keeps every pool"}}
		r.report(pos, s, nil, msg, notes, nil, edit.NoFix("the key's type changes: the map, its reads and its writes"))
		return
	}
	if s.Fate.Kept != "" {
		return
	}
	fnName := r.name(lifetime.StepOf(f.SSA))
	if s.Fate.MemoField != nil {
		chain := r.chain(append(lifetime.Chain{lifetime.StepOf(f.SSA)}, s.Chain...))
		msg := fmt.Sprintf("%s checks %s for nil but never stores the new %s in it; assign it to %s",
			fnName, s.Fate.MemoName, s.Kind.Short(), s.Fate.MemoName)
		notes := []analysis.RelatedInformation{{Pos: pos, Message: "every call builds a new pool: " + chain}}
		r.report(pos, s, nil, msg, notes, r.memoFix(s), "the new pool is not assigned to a local on a line of its own")
		return
	}
	if !s.Fate.Dropped() || !s.Fate.Used || s.Fate.Cond() {
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
	if lifetime.OnlyOnCacheMiss(f.SSA, s.Instr.Block()) {
		// Made only when a cache lookup missed, in a function that fills
		// the cache: once per entry, not per call.
		return
	}
	if s.Fate.Released() && !s.Repeats() && r.res.IsOperation(f.PerCall) {
		// An operation of a library value runs per call by its name, at
		// a rate only its users know: dropping the pool leaks it on the
		// second call, closing it only costs a handshake (longhorn's
		// VersionGet after its fix, like its siblings).
		return
	}
	if s.Fate.Released() && (probes(f) || chainProbes(s.Chain) || r.res.Periodic(f.PerCall)) {
		// A prober's fresh connection is its measurement; a scrape or a
		// reconcile that closes what it made pays a handshake every few
		// seconds, the fix projects choose for a pool dropped there.
		return
	}
	chain := r.chain(append(append(lifetime.Chain(nil), pchain...), s.Chain...))
	var entry *lifetime.Reason
	if f.PerCall != nil && f.PerCall.Entry != f.SSA {
		entry = f.PerCall
	}
	msg := message(fnName, s.Kind, s.Fate.Released())
	if s.Fate.FreshKey {
		msg = fmt.Sprintf("%s creates a new %s per call under a map key new each call; create it once and share it",
			fnName, s.Kind.Short())
	}
	notes := []analysis.RelatedInformation{{Pos: pos, Message: "the pool comes from " + chain}}
	if by := s.Fate.SometimesKeptBy; by.Name != "" && !s.Fate.Released() {
		msg = fmt.Sprintf("%s creates a new %s per call that %s may drop; create it once and reuse it",
			fnName, s.Kind.Short(), by.Name)
		notes = append(notes, analysis.RelatedInformation{Pos: pos, Message: by.String() + " stores it on some paths and returns without it on others: there the pool is dropped"})
	}
	if s.Fate.Released() {
		notes = append(notes, analysis.RelatedInformation{Pos: pos, Message: "closed each call, it reuses no connection: every call pays a TCP+TLS handshake"})
	}
	if s.Fate.FreshKey {
		notes = append(notes, analysis.RelatedInformation{Pos: pos, Message: "the map is no cache: each call adds a pool with its own connections"})
	}
	if entry == nil {
		notes = append(notes, r.perCallNote(f, pos, why))
	}
	fix, noFix := r.hoistFix(s)
	r.report(pos, s, entry, msg, notes, fix, edit.NoFix(noFix))
}

// overwrite reports a pool stored over a package-level value on every
// call (kee's webhook setting http.DefaultClient.Transport per event): kept,
// but each call replaces the last pool, whose idle connections and their
// goroutines nothing closes.
func (r *reporter) overwrite(f *lifetime.Func, s *lifetime.Site) {
	why, pchain := perCall(f, s.Repeats())
	if why == "" {
		return
	}
	pos := s.Instr.Pos()
	chain := r.chain(append(append(lifetime.Chain(nil), pchain...), s.Chain...))
	var entry *lifetime.Reason
	if f.PerCall != nil && f.PerCall.Entry != f.SSA {
		entry = f.PerCall
	}
	msg := fmt.Sprintf("%s replaces %s with a new %s per call; create it once and reuse it",
		r.name(lifetime.StepOf(f.SSA)), s.Fate.Overwrites, s.Kind.Short())
	notes := []analysis.RelatedInformation{
		{Pos: pos, Message: "the pool comes from " + chain},
		{Pos: s.Fate.KeptAt, Message: "stored here with no check of what " + s.Fate.Overwrites + " holds: the pool it replaces is never closed"},
	}
	if entry == nil {
		notes = append(notes, r.perCallNote(f, pos, why))
	}
	r.report(pos, s, entry, msg, notes, nil, edit.NoFix("the pool replaces a package-level value: build it once, at start-up, and share it"))
}

// probes reports whether f is a prober (knowledge.ProbePrefixes), which
// makes a fresh connection per probe on purpose.
func probes(f *lifetime.Func) bool { return isProber(f.SSA.Name()) }

// chainProbes reports whether a function of chain, the calls that make a
// pool, is a prober: a per-tick caller of another package's health check
// that dials and closes per check is running probes, not churning.
func chainProbes(chain lifetime.Chain) bool {
	for _, step := range chain {
		name := step.Name
		if i := strings.LastIndex(name, "."); i >= 0 {
			name = name[i+1:]
		}
		if isProber(name) {
			return true
		}
	}
	return false
}

func isProber(name string) bool {
	name = strings.ToLower(name)
	for _, p := range knowledge.ProbePrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, w := range knowledge.ProbeWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// perCallNote says why f runs per call, at f (or at the site, for a loop).
func (r *reporter) perCallNote(f *lifetime.Func, site token.Pos, why string) analysis.RelatedInformation {
	at := site
	if f.PerCall != nil && f.SSA.Pos().IsValid() {
		at = f.SSA.Pos()
	}
	return analysis.RelatedInformation{Pos: at, Message: why}
}

func (r *reporter) churnCall(f *lifetime.Func, c *lifetime.ChurnCall) {
	pos := c.Call.Pos()
	if !r.res.Reports(r.pass.Fset, pos) || c.Churn.Reported {
		return
	}
	why, pchain := perCall(f, c.Repeats(f))
	reason := f.PerCall
	if c.PerCall != nil {
		why, pchain, reason = c.PerCall.Why, nil, c.PerCall
	}
	if why == "" {
		return
	}
	if c.Churn.Released && (r.res.Periodic(reason) || probes(f) || chainProbes(c.Churn.Chain)) {
		return // closed each scrape, reconcile or probe: see site
	}
	if lifetime.OnlyOnCacheMiss(f.SSA, c.Call.Block()) {
		return // once per cache entry: see site
	}
	chain := r.chain(append(append(lifetime.Chain(nil), pchain...), c.Churn.Chain...))
	msg := message(r.name(lifetime.StepOf(f.SSA)), c.Churn.Kind, c.Churn.Released)
	if d := r.churned[c.Churn.At]; d != nil {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos,
			Message: "the same pool is also made per call here (" + chain + "; " + why + ")"})
		return
	}
	d := &analysis.Diagnostic{Pos: r.nodeStart(pos), End: r.nodeEnd(pos), Category: "clientchurn", Message: msg}
	d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: "the pool comes from " + chain})
	if c.PerCall != nil || f.PerCall == nil {
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: why})
	} else {
		d.Related = append(d.Related, r.perCallNote(f, pos, why))
	}
	r.createdAt(d, c.Churn.At)
	edit.NoFix("the pool is built in " + r.name(c.Churn.Chain[len(c.Churn.Chain)-2]) + ", another package").Note(d)
	r.churned[c.Churn.At] = d
	r.churnOrder = append(r.churnOrder, c.Churn.At)
}

// message is a finding in one sentence: what the function does and the
// remedy. The chain, why it runs per call, where the pool is created and
// why there is no fix are related information; what it costs is in the
// check's documentation.
func message(fn string, kind catalog.Kind, released bool) string {
	if released {
		return fmt.Sprintf("%s creates a new %s per call and closes it; create it once and reuse it", fn, kind.Short())
	}
	return fmt.Sprintf("%s creates a new %s per call and drops it; create it once and reuse it", fn, kind.Short())
}

// report sends a finding on site s with its fix, or with why it has none,
// and its related information: notes, where the pool is created, and why
// the function runs per call when it is not the entry point itself.
func (r *reporter) report(pos token.Pos, s *lifetime.Site, entry *lifetime.Reason, msg string, notes []analysis.RelatedInformation, fix *analysis.SuggestedFix, why edit.NoFix) {
	d := analysis.Diagnostic{Pos: pos, End: r.nodeEnd(pos), Category: "clientchurn", Message: msg, Related: notes}
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
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	} else {
		why.Note(&d)
	}
	// One finding per pool made elsewhere in this package (a factory
	// literal that Get and Post both call): the first chain that reaches
	// it, the others as related information. Findings whose fixes differ
	// stay apart, so that one -fix run applies them all.
	if s.Origin.IsValid() && s.Origin != pos {
		if first := r.byOrigin[s.Origin]; first != nil && sameFixes(first.SuggestedFixes, d.SuggestedFixes) {
			first.Related = append(first.Related, analysis.RelatedInformation{Pos: d.Pos, Message: "the same pool is also made per call here: " + msg})
			return
		} else if first == nil {
			r.byOrigin[s.Origin] = &d
			r.originOrder = append(r.originOrder, s.Origin)
			return
		}
	}
	r.pass.Report(d)
}

// sameFixes reports whether two findings' fixes make the same edits (a
// hoist at the pool's origin, reached from two callers).
func sameFixes(a, b []analysis.SuggestedFix) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i].TextEdits) != len(b[i].TextEdits) {
			return false
		}
		for j, e := range a[i].TextEdits {
			f := b[i].TextEdits[j]
			if e.Pos != f.Pos || e.End != f.End || !bytes.Equal(e.NewText, f.NewText) {
				return false
			}
		}
	}
	return true
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
	d.Related = append(d.Related, analysis.RelatedInformation{Pos: d.Pos, Message: "the pool is created at " + at.String()})
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

// remoteDrops reports this package's methods that return a new pool on
// every call to per-call functions of other packages, which reach them
// through an interface and drop the result (lifetime.RemoteDrop): one
// finding per pool, at its creation, the first callers as related
// information.
func (r *reporter) remoteDrops() {
	const shown = 5 // callers listed; the rest are counted
	byPos := make(map[token.Pos]*analysis.Diagnostic)
	more := make(map[token.Pos]int)
	var order []token.Pos
	for _, rd := range r.res.RemoteDrops {
		pos := rd.Origin
		if !pos.IsValid() {
			pos = rd.Fn.SSA.Pos()
		}
		if !r.res.Reports(r.pass.Fset, pos) {
			continue
		}
		dropper := rd.Call.Dropper.String()
		at := rd.Call.At.In(r.pass.Fset)
		if !at.IsValid() {
			at = pos
		}
		note := analysis.RelatedInformation{Pos: at, Message: fmt.Sprintf("%s drops what %s.%s returns (%s; %s)",
			dropper, rd.Call.Iface.Name, rd.Call.Method, rd.Call.Chain.String(), rd.Call.Why)}
		if d := byPos[pos]; d != nil {
			if len(d.Related) < shown+2 {
				d.Related = append(d.Related, note)
			} else {
				more[pos]++
			}
			continue
		}
		fn := r.name(lifetime.StepOf(rd.Fn.SSA))
		d := &analysis.Diagnostic{Pos: r.nodeStart(pos), End: r.nodeEnd(pos), Category: "clientchurn",
			Message: fmt.Sprintf("%s makes a new %s per call that %s drops; create it once and share it",
				fn, rd.Fresh.Kind.Short(), rd.Call.Dropper.Name)}
		d.Related = append(d.Related, analysis.RelatedInformation{Pos: pos, Message: "the pool comes from " + r.chain(rd.Fresh.Chain)}, note)
		if !rd.Origin.IsValid() {
			r.createdAt(d, rd.Fresh.At)
		}
		edit.NoFix("the caller that drops it is in another package, " + rd.Call.Dropper.Pkg).Note(d)
		byPos[pos] = d
		order = append(order, pos)
	}
	for _, pos := range order {
		d := byPos[pos]
		if n := more[pos]; n > 0 {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: d.Pos, Message: fmt.Sprintf("and %d more callers that drop it per call", n)})
		}
		r.pass.Report(*d)
	}
}
