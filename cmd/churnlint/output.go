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
		err = writeJSON(w, results)
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
// turns into annotations on the pull request: a warning per finding, and a
// notice at each of its related positions (a hop of the chain, where the
// pool is created) that names the finding it belongs to.
func writeGitHub(w io.Writer, fs []finding) {
	escapeData := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	escapeProp := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	annotate := func(level string, p token.Position, title, msg string) {
		fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level,
			escapeProp.Replace(relative(p.Filename)), p.Line, p.Column,
			escapeProp.Replace(title), escapeData.Replace(msg))
	}
	for _, f := range fs {
		annotate("warning", f.posn, "churnlint "+f.check, f.message)
		for _, rel := range f.diag.Related {
			p := f.fset.Position(rel.Pos)
			if !p.IsValid() {
				continue
			}
			annotate("notice", p, "churnlint "+f.check+" (related to "+posString(f.posn)+")", rel.Message)
		}
	}
}

// The JSON tree is the one go vet -json and the x/tools drivers
// (multichecker, singlechecker) print, field for field: package ID, then
// check, then the diagnostics, with absolute positions, so that a tool
// reading one reads the other. (go vet prints one such object per package;
// the standalone command prints one for the run, as multichecker does.)
type jsonDiagnostic struct {
	Category       string        `json:"category,omitempty"`
	Posn           string        `json:"posn"`
	End            string        `json:"end"`
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
	End     string `json:"end"`
	Message string `json:"message"`
}

// writeJSON prints the tree, diagnostics in the order the checks reported
// them (as go vet does), without the duplicates test variants produce.
func writeJSON(w io.Writer, results []*pkgResult) error {
	tree := make(map[string]map[string][]jsonDiagnostic)
	seen := make(map[string]bool)
	for _, r := range results {
		for i := range r.Diags {
			d := &r.Diags[i]
			jd := jsonDiagnosticOf(r.Fset, &d.Diagnostic)
			key := fmt.Sprint(d.Check, jd.Posn, jd.Message)
			if seen[key] {
				continue
			}
			seen[key] = true
			if tree[r.ID] == nil {
				tree[r.ID] = make(map[string][]jsonDiagnostic)
			}
			tree[r.ID][d.Check] = append(tree[r.ID][d.Check], jd)
		}
	}
	data, err := json.MarshalIndent(tree, "", "\t")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

func jsonDiagnosticOf(fset *token.FileSet, d *analysis.Diagnostic) jsonDiagnostic {
	orPos := func(end, pos token.Pos) token.Pos {
		if end.IsValid() {
			return end
		}
		return pos
	}
	jd := jsonDiagnostic{
		Category: d.Category,
		Posn:     fset.Position(d.Pos).String(),
		End:      fset.Position(orPos(d.End, d.Pos)).String(),
		Message:  d.Message,
	}
	for _, sf := range d.SuggestedFixes {
		jf := jsonFix{Message: sf.Message}
		for _, e := range sf.TextEdits {
			start := fset.Position(e.Pos)
			jf.Edits = append(jf.Edits, jsonEdit{Filename: start.Filename, Start: start.Offset, End: fset.Position(orPos(e.End, e.Pos)).Offset, New: string(e.NewText)})
		}
		jd.SuggestedFixes = append(jd.SuggestedFixes, jf)
	}
	for _, rel := range d.Related {
		jd.Related = append(jd.Related, jsonRelated{
			Posn:    fset.Position(rel.Pos).String(),
			End:     fset.Position(orPos(rel.End, rel.Pos)).String(),
			Message: rel.Message,
		})
	}
	return jd
}
