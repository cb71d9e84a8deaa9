// Package suppress implements churnlint's suppression directive,
//
//	//churnlint:ignore <check>[,<check>...] <reason>
//
// written on the line of a finding or on a line of its own just above it.
// A directive above a statement that spans several lines (a multi-line
// composite literal, say) covers the whole statement, except the bodies of
// function literals in it.
//
// The reason is mandatory. A directive that names no check or an unknown
// one, that has no reason, or that suppresses nothing is itself reported,
// so that it cannot outlive the code it was written for. Each check reports
// the problems of the directives that name it; clientchurn also reports
// directives whose names are not checks at all.
//
// The directive is applied inside each analyzer (see Run), so it behaves
// the same under every driver: the churnlint command, go vet -vettool,
// go fix -fixtool and golangci-lint. A suppressed finding is dropped with
// its suggested fixes: no driver applies them.
package suppress

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/internal/fixverify"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// Prefix starts a directive. Like //go: and //nolint: directives it has no
// space after the slashes.
const Prefix = "//churnlint:ignore"

// Checks are the names a directive may give. The first one reports the
// directives that name none of them.
var Checks = []string{"clientchurn", "clientshutdown"}

// Run wraps an analyzer's run function: findings the directives cover are
// dropped, and the directives' own problems are reported. The check's name
// is the analyzer's (pass.Analyzer.Name).
func Run(run func(*analysis.Pass) (any, error)) func(*analysis.Pass) (any, error) {
	return fixverify.Run(func(pass *analysis.Pass) (any, error) { // fixes that would not compile are dropped
		check := pass.Analyzer.Name
		res := pass.ResultOf[lifetime.Analyzer].(*lifetime.Result)
		dirs := parseFiles(pass.Fset, pass.Files, res.Files)
		if len(dirs) == 0 {
			return run(pass)
		}
		inner := *pass
		inner.Report = func(d analysis.Diagnostic) {
			if !suppressed(pass.Fset, dirs, check, d.Pos) {
				pass.Report(d)
			}
		}
		result, err := run(&inner)
		if err != nil {
			return result, err
		}
		for _, d := range dirs {
			if d.reports {
				reportProblems(pass, check, d)
			}
		}
		return result, nil
	})
}

// directive is one //churnlint:ignore comment.
type directive struct {
	comment *ast.Comment
	file    *token.File
	line    int      // the line it covers: its own, or the next one
	spans   []span   // statements starting on that line
	checks  []string // the names it gives, as written
	reason  string   // empty when missing
	used    map[string]bool
	reports bool // its problems are reported: its file is one the checks report in
}

// span is the extent of a statement a directive covers, without the
// bodies of the function literals in it.
type span struct {
	from, to token.Pos
	holes    []*ast.BlockStmt
}

func (s span) contains(pos token.Pos) bool {
	if pos < s.from || pos >= s.to {
		return false
	}
	for _, h := range s.holes {
		if pos >= h.Lbrace && pos <= h.Rbrace {
			return false
		}
	}
	return true
}

// names says whether the directive names check.
func (d *directive) names(check string) bool { return slices.Contains(d.checks, check) }

// covers says whether a finding at pos is on the directive's line or in a
// statement starting there.
func (d *directive) covers(fset *token.FileSet, pos token.Pos) bool {
	if !pos.IsValid() || fset.File(pos) != d.file {
		return false
	}
	if d.file.Line(pos) == d.line {
		return true
	}
	for _, s := range d.spans {
		if s.contains(pos) {
			return true
		}
	}
	return false
}

// suppressed says whether a directive with a reason naming check covers a
// finding at pos, and marks the directives that do as used.
func suppressed(fset *token.FileSet, dirs []*directive, check string, pos token.Pos) bool {
	hit := false
	for _, d := range dirs {
		if d.reason != "" && d.names(check) && d.covers(fset, pos) {
			d.used[check] = true
			hit = true
		}
	}
	return hit
}

func reportProblems(pass *analysis.Pass, check string, d *directive) {
	report := func(format string, args ...any) {
		pass.Report(analysis.Diagnostic{
			Pos:      d.comment.Pos(),
			End:      d.comment.End(),
			Category: check,
			Message:  fmt.Sprintf(format, args...),
		})
	}
	if check == Checks[0] {
		if len(d.checks) == 0 {
			report("%s needs a check (%s) and a reason why the finding does not apply",
				Prefix, strings.Join(Checks, " or "))
			return
		}
		for _, name := range d.checks {
			if !slices.Contains(Checks, name) {
				report("%s names %q, which is not a check (the checks are %s)",
					Prefix, name, strings.Join(Checks, " and "))
			}
		}
	}
	if !d.names(check) {
		return
	}
	if d.reason == "" {
		report("%s %s has no reason, so it suppresses nothing; say why the finding does not apply",
			Prefix, check)
		return
	}
	if !d.used[check] {
		report("%s %s suppresses nothing (no %s finding on line %d); remove it",
			Prefix, check, check, d.line)
	}
}

// parseFiles returns the directives in files; reports says which files
// the checks report in (lifetime's Result.Files).
func parseFiles(fset *token.FileSet, files []*ast.File, reports map[*token.File]bool) []*directive {
	var all []*directive
	for _, f := range files {
		all = append(all, parseFile(fset, f, reports[fset.File(f.FileStart)])...)
	}
	return all
}

func parseFile(fset *token.FileSet, f *ast.File, reports bool) []*directive {
	var comments []*ast.Comment
	for _, g := range f.Comments {
		for _, c := range g.List {
			if rest, ok := strings.CutPrefix(c.Text, Prefix); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
				comments = append(comments, c)
			}
		}
	}
	if len(comments) == 0 {
		return nil
	}
	tf := fset.File(f.FileStart)

	// firstCode maps a line to the position of the first code on it, to
	// tell a directive after code from one on a line of its own.
	firstCode := make(map[int]token.Pos)
	note := func(pos token.Pos) {
		if !pos.IsValid() {
			return
		}
		line := tf.Line(pos)
		if have, ok := firstCode[line]; !ok || pos < have {
			firstCode[line] = pos
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n.(type) {
		case nil:
			return false
		case *ast.CommentGroup, *ast.Comment:
			return false
		}
		note(n.Pos())
		note(n.End() - 1)
		return true
	})

	byLine := make(map[int][]*directive)
	var dirs []*directive
	for _, c := range comments {
		checks, reason := parseText(strings.TrimPrefix(c.Text, Prefix))
		line := tf.Line(c.Pos())
		if first, ok := firstCode[line]; !ok || first > c.Pos() {
			line++ // on a line of its own: it covers the next line
		}
		d := &directive{comment: c, file: tf, line: line, checks: checks, reason: reason, used: make(map[string]bool), reports: reports}
		dirs = append(dirs, d)
		byLine[line] = append(byLine[line], d)
	}

	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || !startsStatement(n) {
			return true
		}
		ds := byLine[tf.Line(n.Pos())]
		if len(ds) == 0 {
			return true
		}
		s := span{from: n.Pos(), to: n.End()}
		ast.Inspect(n, func(m ast.Node) bool {
			if lit, ok := m.(*ast.FuncLit); ok {
				s.holes = append(s.holes, lit.Body)
				return false
			}
			return true
		})
		for _, d := range ds {
			d.spans = append(d.spans, s)
		}
		return true
	})
	return dirs
}

// startsStatement says whether a directive on the line where n starts
// covers all of n: a simple statement, a var or const spec, a field of a
// composite literal. Statements with blocks of their own (if, for, switch,
// a function) are covered by their line only.
func startsStatement(n ast.Node) bool {
	switch n.(type) {
	case *ast.AssignStmt, *ast.ExprStmt, *ast.ReturnStmt, *ast.DeclStmt,
		*ast.GoStmt, *ast.DeferStmt, *ast.SendStmt, *ast.IncDecStmt,
		*ast.ValueSpec, *ast.KeyValueExpr:
		return true
	}
	return false
}

// parseText splits what follows the prefix into the checks and the
// reason. "a, b reason" names a and b; a reason may start with // as in
// //churnlint:ignore clientchurn // why.
func parseText(text string) (checks []string, reason string) {
	fields := strings.Fields(text)
	i := 0
	var list strings.Builder
	for i < len(fields) {
		list.WriteString(fields[i])
		i++
		if !strings.HasSuffix(fields[i-1], ",") {
			break
		}
	}
	if list.Len() > 0 {
		for _, name := range strings.Split(list.String(), ",") {
			checks = append(checks, strings.TrimSpace(name))
		}
		if checks[len(checks)-1] == "" {
			checks = checks[:len(checks)-1] // "a, " at the end of the list
		}
	}
	reason = strings.TrimSpace(strings.TrimPrefix(strings.Join(fields[i:], " "), "//"))
	return checks, reason
}
