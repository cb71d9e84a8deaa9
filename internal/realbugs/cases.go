package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A Case is one real, fixed bug: churnlint should flag the pre-fix commit at
// one of the expected positions and be quiet at the fix site of the fix
// commit.
type Case struct {
	ID       string
	Repo     string // owner/name
	URL      string // the pull request or issue of the fix
	Pre, Fix string // commits
	Module   string // directory of the go.mod, relative to the repository root
	Packages []string
	Checks   []string   // the checks that may report it
	Expected []Position // in the pre-fix commit, relative to the repository root
	FixSite  []Range    // in the fix commit; empty: not scored
	Tags     string
	Shape    string
	Line     int // in the cases file, for messages
}

// A Position is file:line, relative to the repository root.
type Position struct {
	File string
	Line int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// A Range is file:start-end, both lines included.
type Range struct {
	File       string
	Start, End int
}

func (r Range) String() string { return fmt.Sprintf("%s:%d-%d", r.File, r.Start, r.End) }

func (r Range) contains(p Position) bool {
	return p.File == r.File && r.Start <= p.Line && p.Line <= r.End
}

var knownChecks = map[string]bool{"clientchurn": true, "clientshutdown": true}

const caseColumns = 12

// parseCases reads the bug corpus: one case per line, twelve columns
// separated by tabs (see the header of testdata/realworld/bugs.tsv); blank
// lines and lines starting with # are skipped.
func parseCases(r io.Reader) ([]Case, error) {
	var cases []Case
	seen := make(map[string]int)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != caseColumns {
			return nil, fmt.Errorf("line %d: want %d tab-separated columns (id, repo, url, pre, fix, module, packages, check, expected, fixsite, tags, shape), got %d", n, caseColumns, len(f))
		}
		c := Case{ID: f[0], Repo: f[1], URL: f[2], Pre: f[3], Fix: f[4], Module: f[5], Tags: f[10], Shape: f[11], Line: n}
		if c.ID == "" {
			return nil, fmt.Errorf("line %d: empty id", n)
		}
		if prev, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("line %d: id %s is already used on line %d", n, c.ID, prev)
		}
		seen[c.ID] = n
		if owner, name, ok := strings.Cut(c.Repo, "/"); !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return nil, fmt.Errorf("line %d: repo %q is not owner/name", n, c.Repo)
		}
		for _, commit := range []string{c.Pre, c.Fix} {
			if !isCommit(commit) {
				return nil, fmt.Errorf("line %d: %q is not a full commit hash", n, commit)
			}
		}
		if c.Module == "" || strings.HasPrefix(c.Module, "/") || strings.Contains(c.Module, "..") {
			return nil, fmt.Errorf("line %d: module %q: want a directory relative to the repository root (. for the root)", n, c.Module)
		}
		c.Packages = splitList(f[6])
		if len(c.Packages) == 0 {
			return nil, fmt.Errorf("line %d: no packages", n)
		}
		c.Checks = strings.Split(f[7], "|")
		for _, check := range c.Checks {
			if !knownChecks[check] {
				return nil, fmt.Errorf("line %d: check %q is neither clientchurn nor clientshutdown", n, check)
			}
		}
		for _, s := range splitList(f[8]) {
			p, err := parsePosition(s)
			if err != nil {
				return nil, fmt.Errorf("line %d: expected position: %v", n, err)
			}
			c.Expected = append(c.Expected, p)
		}
		if len(c.Expected) == 0 {
			return nil, fmt.Errorf("line %d: no expected position", n)
		}
		if f[9] != "-" {
			for _, s := range splitList(f[9]) {
				r, err := parseRange(s)
				if err != nil {
					return nil, fmt.Errorf("line %d: fix site: %v", n, err)
				}
				c.FixSite = append(c.FixSite, r)
			}
		}
		if c.Tags == "-" {
			c.Tags = ""
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

func isCommit(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parsePosition reads file:line; the file may itself contain a colon.
func parsePosition(s string) (Position, error) {
	i := strings.LastIndex(s, ":")
	if i <= 0 {
		return Position{}, fmt.Errorf("%q: want file:line", s)
	}
	line, err := strconv.Atoi(s[i+1:])
	if err != nil || line <= 0 {
		return Position{}, fmt.Errorf("%q: want file:line with a positive line", s)
	}
	return Position{File: s[:i], Line: line}, nil
}

// parseRange reads file:start-end.
func parseRange(s string) (Range, error) {
	i := strings.LastIndex(s, ":")
	if i <= 0 {
		return Range{}, fmt.Errorf("%q: want file:start-end", s)
	}
	a, b, ok := strings.Cut(s[i+1:], "-")
	start, err1 := strconv.Atoi(a)
	end, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || start <= 0 || end < start {
		return Range{}, fmt.Errorf("%q: want file:start-end with 0 < start <= end", s)
	}
	return Range{File: s[:i], Start: start, End: end}, nil
}
