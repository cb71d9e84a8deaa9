package clientshutdown

import (
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// ReleaseEdits returns the edits that make owner n release a pool which a
// fix of another check is about to keep in field, a new field of n: the
// edits this check would offer on its next run, so that the two fixes
// together leave nothing to report. It returns no edits and no reason
// when n needs no release for the field (a plain wrapper without a
// lifecycle), and a reason when no edit can be made or when n already has
// findings of its own here, whose fixes would collide with these.
func ReleaseEdits(pass *analysis.Pass, n *types.Named, field *types.Var, site *lifetime.Site) ([]analysis.TextEdit, string) {
	res := pass.ResultOf[lifetime.Analyzer].(*lifetime.Result)
	if res.Pkg == nil {
		return nil, "the package was not analysed"
	}
	var found []analysis.Diagnostic
	quiet := *pass
	quiet.Report = func(d analysis.Diagnostic) { found = append(found, d) }
	c := &checker{pass: &quiet, res: res, owners: make(map[*types.Named]*owner), lifecycles: lifecycleInterfaces(pass)}
	for _, f := range res.Funcs {
		if !f.RunsOnce() {
			for _, s := range f.Sites {
				c.collect(f, s)
			}
		}
	}
	c.dedupe()
	if o := c.owners[n]; o != nil {
		before := len(found)
		c.check(o)
		if len(found) > before {
			return nil, n.Obj().Name() + " already keeps a pool it does not release; fix that (clientshutdown) first"
		}
	}
	found = found[:0]
	c.check(&owner{named: n, fields: []*owned{{field: field, site: site}}})
	if len(found) == 0 {
		return nil, ""
	}
	d := found[0]
	if len(d.SuggestedFixes) == 0 {
		if _, why, ok := strings.Cut(d.Message, "(no automatic fix: "); ok {
			return nil, strings.TrimSuffix(why, ")")
		}
		return nil, "no release for it could be added to " + n.Obj().Name()
	}
	return d.SuggestedFixes[0].TextEdits, ""
}
