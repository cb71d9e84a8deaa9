package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// A Finding is one diagnostic of churnlint on a checkout.
type Finding struct {
	Repo     string // owner/name
	Commit   string
	Package  string // import path, without the test variant suffix
	Position string // file:line:column, the file relative to the checkout
	Check    string // the analyzer: clientchurn or clientshutdown
	Message  string
}

// LabelPosition is the part of the position that labels name: file:line.
// Columns are left out so that a label survives a reworded expression.
func (f Finding) LabelPosition() string {
	file, line, _ := splitPosition(f.Position)
	if line == "" {
		return f.Position
	}
	return file + ":" + line
}

// splitPosition splits "file:line:column" (or "file:line") from the right,
// because a file name may itself contain a colon.
func splitPosition(pos string) (file, line, column string) {
	parts := strings.Split(pos, ":")
	switch {
	case len(parts) >= 3:
		n := len(parts)
		return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	case len(parts) == 2:
		return parts[0], parts[1], ""
	}
	return pos, "", ""
}

// jsonDiagnostic is the part of a diagnostic in the -json output of a
// unitchecker (go vet -vettool) that the findings table keeps.
type jsonDiagnostic struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
}

// An AnalysisError is an analyzer that failed on a package: a panic or a
// package that did not type-check. Any of them fails the run.
type AnalysisError struct {
	Package string
	Check   string
	Err     string
}

// parseVetJSON reads the output of `go vet -vettool=churnlint -json`: one JSON
// object per package, mapping the package ID to each analyzer's diagnostics or
// error. Positions are made relative to root. A package is analysed once per
// variant (the package, and again with its _test.go files), so a diagnostic in a
// non-test file comes twice; it is kept once.
func parseVetJSON(r io.Reader, repo, commit, root string) ([]Finding, []AnalysisError, error) {
	var findings []Finding
	var failures []AnalysisError
	seen := make(map[Finding]bool)
	dec := json.NewDecoder(r)
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("reading vet JSON: %v", err)
		}
		for id, byCheck := range tree {
			pkg := packagePath(id)
			for check, raw := range byCheck {
				raw = bytes.TrimSpace(raw)
				if len(raw) > 0 && raw[0] == '{' {
					var failed struct {
						Error string `json:"error"`
					}
					if err := json.Unmarshal(raw, &failed); err != nil {
						return nil, nil, fmt.Errorf("package %s, %s: %v", id, check, err)
					}
					failures = append(failures, AnalysisError{Package: id, Check: check, Err: failed.Error})
					continue
				}
				var diags []jsonDiagnostic
				if err := json.Unmarshal(raw, &diags); err != nil {
					return nil, nil, fmt.Errorf("package %s, %s: %v", id, check, err)
				}
				for _, d := range diags {
					f := Finding{
						Repo:     repo,
						Commit:   commit,
						Package:  pkg,
						Position: relativePosition(d.Posn, root),
						Check:    check,
						Message:  oneLine(d.Message),
					}
					if !seen[f] {
						seen[f] = true
						findings = append(findings, f)
					}
				}
			}
		}
	}
	sortFindings(findings)
	sort.Slice(failures, func(i, j int) bool {
		if failures[i].Package != failures[j].Package {
			return failures[i].Package < failures[j].Package
		}
		return failures[i].Check < failures[j].Check
	})
	return findings, failures, nil
}

// packagePath drops the variant from a package ID: "p [p.test]" is p.
func packagePath(id string) string {
	if i := strings.Index(id, " ["); i >= 0 {
		return id[:i]
	}
	return id
}

// relativePosition makes the file of an absolute "file:line:col" relative to
// root; a file outside root keeps its absolute name.
func relativePosition(posn, root string) string {
	file, line, column := splitPosition(posn)
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = filepath.ToSlash(rel)
	}
	pos := file
	for _, part := range []string{line, column} {
		if part != "" {
			pos += ":" + part
		}
	}
	return pos
}

// oneLine keeps a message on one line of a tab-separated table.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r'
	}), " ")
}

func sortFindings(findings []Finding) {
	sort.Slice(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.Repo != b.Repo {
			return a.Repo < b.Repo
		}
		af, al, ac := splitPosition(a.Position)
		bf, bl, bc := splitPosition(b.Position)
		if af != bf {
			return af < bf
		}
		if len(al) != len(bl) || al != bl {
			return len(al) < len(bl) || len(al) == len(bl) && al < bl
		}
		if len(ac) != len(bc) || ac != bc {
			return len(ac) < len(bc) || len(ac) == len(bc) && ac < bc
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Message < b.Message
	})
}

const findingsHeader = "# repo\tcommit\tpackage\tposition\tcheck\tmessage"

// writeFindings writes the findings table: a header, then one tab-separated
// line per finding.
func writeFindings(w io.Writer, findings []Finding) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, findingsHeader)
	for _, f := range findings {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Repo, f.Commit, f.Package, f.Position, f.Check, f.Message)
	}
	return bw.Flush()
}
