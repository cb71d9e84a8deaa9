package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// A Finding is one diagnostic of churnlint, its files relative to the
// repository root.
type Finding struct {
	Check   string
	Pos     Position
	Related string // the related positions, comma-separated (a string keeps Finding comparable)
	Message string
}

// positions are where the finding is and what it points at: a finding
// reported at a caller names the creation site as related information.
func (f Finding) positions() []Position {
	out := []Position{f.Pos}
	for _, s := range splitList(f.Related) {
		if p, err := parsePosition(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// Verdicts on the pre-fix commit.
const (
	verdictHit       = "hit"        // flagged at an expected position
	verdictWrongSite = "wrong-site" // flagged in an expected file, at none of the expected lines
	verdictMiss      = "miss"       // not flagged where the bug is
	verdictFailed    = "failed"     // could not be analysed
)

// Verdicts on the fix commit.
const (
	verdictQuiet     = "quiet"
	verdictFlagged   = "still-flagged"
	verdictNotScored = "-"
)

// A Score is what one run of churnlint says about one case.
type Score struct {
	Verdict string
	At      []Finding // the findings that decided it: the hits, the wrong sites, the fix-site findings
}

func (c Case) wantsCheck(check string) bool {
	for _, ch := range c.Checks {
		if ch == check {
			return true
		}
	}
	return false
}

// scorePre judges the findings on the pre-fix commit. A finding counts at
// its own position and at each related position.
func scorePre(c Case, findings []Finding) Score {
	expected := make(map[Position]bool)
	files := make(map[string]bool)
	for _, p := range c.Expected {
		expected[p] = true
		files[p.File] = true
	}
	var hits, elsewhere []Finding
	for _, f := range findings {
		if !c.wantsCheck(f.Check) {
			continue
		}
		hit, inFile := false, false
		for _, p := range f.positions() {
			hit = hit || expected[p]
			inFile = inFile || files[p.File]
		}
		switch {
		case hit:
			hits = append(hits, f)
		case inFile:
			elsewhere = append(elsewhere, f)
		}
	}
	switch {
	case len(hits) > 0:
		return Score{Verdict: verdictHit, At: hits}
	case len(elsewhere) > 0:
		return Score{Verdict: verdictWrongSite, At: elsewhere}
	}
	return Score{Verdict: verdictMiss}
}

// scoreFix judges the findings on the fix commit: any finding of the case's
// checks inside the fix site means the fix is still flagged.
func scoreFix(c Case, findings []Finding) Score {
	if len(c.FixSite) == 0 {
		return Score{Verdict: verdictNotScored}
	}
	var at []Finding
	for _, f := range findings {
		if !c.wantsCheck(f.Check) {
			continue
		}
	site:
		for _, p := range f.positions() {
			for _, r := range c.FixSite {
				if r.contains(p) {
					at = append(at, f)
					break site
				}
			}
		}
	}
	if len(at) > 0 {
		return Score{Verdict: verdictFlagged, At: at}
	}
	return Score{Verdict: verdictQuiet}
}

// jsonDiagnostic is the part of churnlint's -format=json diagnostic that is
// scored.
type jsonDiagnostic struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
	Related []struct {
		Posn string `json:"posn"`
	} `json:"related"`
}

// parseJSON reads churnlint's -format=json output (package ID, then check,
// then diagnostics). Positions are relative to dir, the directory churnlint
// ran in, unless outside it; they are made relative to root, the repository
// root. A diagnostic reported for two variants of a package is kept once.
func parseJSON(r io.Reader, dir, root string) ([]Finding, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var out []Finding
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var tree map[string]map[string][]jsonDiagnostic
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil, fmt.Errorf("reading churnlint's JSON: %v", err)
	}
	seen := make(map[Finding]bool)
	for _, byCheck := range tree {
		for check, diags := range byCheck {
			for _, d := range diags {
				pos, err := findingPosition(d.Posn, dir, root)
				if err != nil {
					return nil, err
				}
				var related []string
				for _, r := range d.Related {
					rp, err := findingPosition(r.Posn, dir, root)
					if err != nil {
						return nil, err
					}
					related = append(related, rp.String())
				}
				f := Finding{Check: check, Pos: pos, Related: strings.Join(related, ","), Message: d.Message}
				if !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Message < b.Message
	})
	return out, nil
}

// findingPosition turns "file:line:col" into a Position relative to root.
func findingPosition(posn, dir, root string) (Position, error) {
	parts := strings.Split(posn, ":")
	if len(parts) < 3 {
		return Position{}, fmt.Errorf("position %q: want file:line:column", posn)
	}
	file := strings.Join(parts[:len(parts)-2], ":")
	line, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil {
		return Position{}, fmt.Errorf("position %q: %v", posn, err)
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = filepath.ToSlash(rel)
	}
	return Position{File: file, Line: line}, nil
}

// Totals are the figures over all cases run.
type Totals struct {
	Cases, Hits, WrongSite, Miss, Failed int
	FixScored, FixQuiet, FixFlagged      int
	FixFailed                            int
}

// Scored is the number of cases whose pre-fix commit was analysed.
func (t Totals) Scored() int { return t.Hits + t.WrongSite + t.Miss }

func (t *Totals) add(pre, fix string) {
	t.Cases++
	switch pre {
	case verdictHit:
		t.Hits++
	case verdictWrongSite:
		t.WrongSite++
	case verdictMiss:
		t.Miss++
	case verdictFailed:
		t.Failed++
	}
	switch fix {
	case verdictQuiet:
		t.FixScored++
		t.FixQuiet++
	case verdictFlagged:
		t.FixScored++
		t.FixFlagged++
	case verdictFailed:
		t.FixFailed++
	}
}

func ratio(n, d int) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d/%d = %.0f%%", n, d, 100*float64(n)/float64(d))
}

func (t Totals) String() string {
	return fmt.Sprintf("cases %d: hit %d, wrong-site %d, miss %d, failed %d; recall (hits / scored) %s; fix quiet %s (fix failed %d)",
		t.Cases, t.Hits, t.WrongSite, t.Miss, t.Failed, ratio(t.Hits, t.Scored()), ratio(t.FixQuiet, t.FixScored), t.FixFailed)
}
