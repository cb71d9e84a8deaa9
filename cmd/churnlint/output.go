package main

import (
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"golang.org/x/tools/go/analysis"
)

// finding is a diagnostic ready to print: positions resolved, paths
// relative to the working directory where they are inside it.
type finding struct {
	pkg     string
	check   string
	posn    token.Position
	end     token.Position
	message string
	diag    *analysis.Diagnostic
	fset    *token.FileSet
}

// findings flattens results in file order, without the duplicates test
// variants of a package produce.
func findings(results []*pkgResult) []finding {
	var out []finding
	seen := make(map[string]bool)
	for _, r := range results {
		for i := range r.Diags {
			d := &r.Diags[i]
			f := finding{pkg: r.ID, check: d.Check, posn: r.Fset.Position(d.Pos), message: d.Message, diag: &d.Diagnostic, fset: r.Fset}
			if d.End.IsValid() {
				f.end = r.Fset.Position(d.End)
			}
			key := fmt.Sprint(f.check, f.posn, f.message)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].posn, out[j].posn
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return out
}

var workDir, _ = os.Getwd()

// relative shortens a file name to be relative to the working directory
// when it is inside it, as editors and CI annotations expect.
func relative(name string) string {
	if rel, err := filepath.Rel(workDir, name); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return name
}

func posString(p token.Position) string {
	return fmt.Sprintf("%s:%d:%d", relative(p.Filename), p.Line, p.Column)
}

// write prints the findings in format and returns how many there were.
func write(format string, w io.Writer, results []*pkgResult) (int, error) {
	fs := findings(results)
	var err error
	switch format {
	case "json":
		err = writeJSON(w, fs)
	case "sarif":
		err = writeSARIF(w, fs, results)
	case "github":
		writeGitHub(w, fs)
	default:
		writeText(w, fs)
	}
	return len(fs), err
}

// writeText prints "file:line:col: message (check)", the shape compilers,
// editors and CI problem matchers read, and each related position indented
// below it.
func writeText(w io.Writer, fs []finding) {
	for _, f := range fs {
		fmt.Fprintf(w, "%s: %s (%s)\n", posString(f.posn), f.message, f.check)
		for _, rel := range f.diag.Related {
			fmt.Fprintf(w, "\t%s: %s\n", posString(f.fset.Position(rel.Pos)), rel.Message)
		}
	}
}

// writeGitHub prints GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request.
func writeGitHub(w io.Writer, fs []finding) {
	escapeData := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	escapeProp := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	for _, f := range fs {
		fmt.Fprintf(w, "::warning file=%s,line=%d,col=%d,title=%s::%s\n",
			escapeProp.Replace(relative(f.posn.Filename)), f.posn.Line, f.posn.Column,
			escapeProp.Replace("churnlint "+f.check), escapeData.Replace(f.message))
	}
}

// The JSON tree is the one the x/tools drivers print: package ID, then
// check, then the diagnostics.
type jsonDiagnostic struct {
	Category       string        `json:"category,omitempty"`
	Posn           string        `json:"posn"`
	End            string        `json:"end,omitempty"`
	Message        string        `json:"message"`
	SuggestedFixes []jsonFix     `json:"suggested_fixes,omitempty"`
	Related        []jsonRelated `json:"related,omitempty"`
}

type jsonFix struct {
	Message string     `json:"message"`
	Edits   []jsonEdit `json:"edits"`
}

type jsonEdit struct {
	Filename string `json:"filename"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	New      string `json:"new"`
}

type jsonRelated struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
}

func writeJSON(w io.Writer, fs []finding) error {
	tree := make(map[string]map[string][]jsonDiagnostic)
	for _, f := range fs {
		d := jsonDiagnostic{Category: f.diag.Category, Posn: posString(f.posn), Message: f.message}
		if f.end.IsValid() {
			d.End = posString(f.end)
		}
		for _, sf := range f.diag.SuggestedFixes {
			jf := jsonFix{Message: sf.Message, Edits: []jsonEdit{}}
			for _, e := range sf.TextEdits {
				start, end := f.fset.Position(e.Pos), f.fset.Position(e.End)
				if !e.End.IsValid() {
					end = start
				}
				jf.Edits = append(jf.Edits, jsonEdit{Filename: relative(start.Filename), Start: start.Offset, End: end.Offset, New: string(e.NewText)})
			}
			d.SuggestedFixes = append(d.SuggestedFixes, jf)
		}
		for _, rel := range f.diag.Related {
			d.Related = append(d.Related, jsonRelated{Posn: posString(f.fset.Position(rel.Pos)), Message: rel.Message})
		}
		if tree[f.pkg] == nil {
			tree[f.pkg] = make(map[string][]jsonDiagnostic)
		}
		tree[f.pkg][f.check] = append(tree[f.pkg][f.check], d)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "\t")
	return enc.Encode(tree)
}

// writeSARIF writes a SARIF 2.1.0 log: one rule per check with its
// documentation, one result per finding with its related locations and its
// suggested fix, and the packages that failed as tool notifications.
func writeSARIF(w io.Writer, fs []finding, results []*pkgResult) error {
	report := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("churnlint", "https://github.com/churnlint/churnlint")
	run.Tool.Driver.WithVersion(version())
	for _, a := range checks {
		short, _, _ := strings.Cut(a.Doc, "\n")
		run.AddRule(a.Name).
			WithName(a.Name).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(short)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(a.Doc)).
			WithHelp(sarif.NewMultiformatMessageString().WithText(a.Doc).WithMarkdown(a.Doc)).
			WithHelpURI(a.URL)
	}
	location := func(fset *token.FileSet, pos, end token.Pos) *sarif.Location {
		p := fset.Position(pos)
		region := sarif.NewRegion().WithStartLine(p.Line).WithStartColumn(p.Column)
		if end.IsValid() {
			e := fset.Position(end)
			region.WithEndLine(e.Line).WithEndColumn(e.Column)
		}
		return sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(relative(p.Filename))).
			WithRegion(region))
	}
	for _, f := range fs {
		res := run.CreateResultForRule(f.check).
			WithLevel("warning").
			WithMessage(sarif.NewTextMessage(f.message)).
			AddLocation(location(f.fset, f.diag.Pos, f.diag.End))
		for _, rel := range f.diag.Related {
			res.AddRelatedLocation(location(f.fset, rel.Pos, rel.End).WithMessage(sarif.NewTextMessage(rel.Message)))
		}
		for _, sf := range f.diag.SuggestedFixes {
			fix := sarif.NewFix().WithDescription(sarif.NewTextMessage(sf.Message))
			changes := make(map[string]*sarif.ArtifactChange)
			var order []string
			for _, e := range sf.TextEdits {
				start := f.fset.Position(e.Pos)
				length := 0
				if e.End.IsValid() {
					length = f.fset.Position(e.End).Offset - start.Offset
				}
				name := relative(start.Filename)
				ch := changes[name]
				if ch == nil {
					ch = sarif.NewArtifactChange().WithArtifactLocation(sarif.NewSimpleArtifactLocation(name))
					changes[name] = ch
					order = append(order, name)
				}
				ch.AddReplacement(sarif.NewReplacement().
					WithDeletedRegion(sarif.NewRegion().WithByteOffset(start.Offset).WithByteLength(length)).
					WithInsertedContent(sarif.NewArtifactContent().WithText(string(e.NewText))))
			}
			for _, name := range order {
				fix.AddArtifactChange(changes[name])
			}
			res.AddFixe(fix)
		}
	}
	inv := sarif.NewInvocation().WithExecutionSuccessful(true)
	for _, r := range results {
		for _, e := range r.Errors {
			inv.WithExecutionSuccessful(false)
			inv.AddToolExecutionNotification(sarif.NewNotification().
				WithLevel("error").
				WithMessage(sarif.NewTextMessage(r.Path + ": " + e)))
		}
	}
	run.AddInvocation(inv)
	report.AddRun(run)
	return report.PrettyWrite(w)
}
