package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Verdicts a label may carry.
const (
	truePositive       = "TP"
	falsePositive      = "FP"       // reported today, wrong
	fixedFalsePositive = "FP-fixed" // was wrong, fixed: it must not come back
)

// A Label is a hand-made verdict on one finding.
type Label struct {
	Repo     string
	Commit   string
	Position string // file:line, relative to the checkout
	Check    string
	Verdict  string
	Reason   string
	Line     int // in the labels file, for messages
}

type labelKey struct {
	repo, position, check string
}

func (l Label) key() labelKey { return labelKey{l.Repo, l.Position, l.Check} }

// parseLabels reads a labels table: lines of repo, commit, position, check,
// verdict and reason separated by tabs; blank lines and lines starting with #
// are skipped. Two labels for the same finding are an error.
func parseLabels(r io.Reader) ([]Label, error) {
	var labels []Label
	byKey := make(map[labelKey]int)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.SplitN(text, "\t", 6)
		if len(fields) < 5 {
			return nil, fmt.Errorf("line %d: want repo, commit, position, check, verdict and reason separated by tabs, got %d fields", n, len(fields))
		}
		l := Label{Repo: fields[0], Commit: fields[1], Position: fields[2], Check: fields[3], Verdict: fields[4], Line: n}
		if len(fields) == 6 {
			l.Reason = fields[5]
		}
		switch l.Verdict {
		case truePositive, falsePositive, fixedFalsePositive:
		default:
			return nil, fmt.Errorf("line %d: verdict %q is none of %s, %s, %s", n, l.Verdict, truePositive, falsePositive, fixedFalsePositive)
		}
		if _, line, column := splitPosition(l.Position); line == "" || column != "" {
			return nil, fmt.Errorf("line %d: position %q is not file:line", n, l.Position)
		}
		if prev, ok := byKey[l.key()]; ok {
			return nil, fmt.Errorf("line %d: %s %s %s is already labelled on line %d", n, l.Repo, l.Position, l.Check, prev)
		}
		byKey[l.key()] = n
		labels = append(labels, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return labels, nil
}

// A Judged finding is a finding with its label, if any.
type Judged struct {
	Finding
	Label *Label
}

// RepoSummary counts one checkout's findings by verdict.
type RepoSummary struct {
	Repo, Commit string
	Findings     int
	True, False  int
	Unlabelled   []Finding
	Returned     []Judged // fixed false positives reported again
	Lost         []Label  // true positives labelled at this commit and no longer reported
}

// Precision is true / (true + false) over the labelled findings; ok is false
// when none is labelled.
func (s RepoSummary) Precision() (p float64, ok bool) {
	if s.True+s.False == 0 {
		return 0, false
	}
	return float64(s.True) / float64(s.True+s.False), true
}

// judge joins findings with labels by repo, file:line and check.
func judge(findings []Finding, labels []Label) []Judged {
	byKey := make(map[labelKey]*Label, len(labels))
	for i := range labels {
		byKey[labels[i].key()] = &labels[i]
	}
	judged := make([]Judged, len(findings))
	for i, f := range findings {
		judged[i] = Judged{Finding: f, Label: byKey[labelKey{f.Repo, f.LabelPosition(), f.Check}]}
	}
	return judged
}

// summarise counts the judged findings of each analysed checkout (repo →
// commit), in the order of repos.
func summarise(judged []Judged, labels []Label, repos []string, commits map[string]string) []RepoSummary {
	byRepo := make(map[string]*RepoSummary)
	var summaries []*RepoSummary
	for _, repo := range repos {
		s := &RepoSummary{Repo: repo, Commit: commits[repo]}
		byRepo[repo] = s
		summaries = append(summaries, s)
	}
	reported := make(map[labelKey]bool)
	for _, j := range judged {
		s := byRepo[j.Repo]
		if s == nil {
			continue
		}
		s.Findings++
		switch {
		case j.Label == nil:
			s.Unlabelled = append(s.Unlabelled, j.Finding)
		case j.Label.Verdict == truePositive:
			s.True++
			reported[j.Label.key()] = true
		case j.Label.Verdict == fixedFalsePositive:
			s.False++
			s.Returned = append(s.Returned, j)
		default:
			s.False++
		}
	}
	for _, l := range labels {
		s := byRepo[l.Repo]
		if s == nil || l.Verdict != truePositive || l.Commit != s.Commit || reported[l.key()] {
			continue
		}
		s.Lost = append(s.Lost, l)
	}
	out := make([]RepoSummary, len(summaries))
	for i, s := range summaries {
		out[i] = *s
	}
	return out
}

// printSummary prints one row per repo and a total, then what needs a look:
// unlabelled findings, fixed false positives that are back, and lost true
// positives.
func printSummary(w io.Writer, summaries []RepoSummary) {
	fmt.Fprintf(w, "%-22s %8s %5s %5s %10s %9s\n", "repo", "findings", "true", "false", "unlabelled", "precision")
	var total RepoSummary
	total.Repo = "total"
	row := func(s RepoSummary) {
		precision := "-"
		if p, ok := s.Precision(); ok {
			precision = fmt.Sprintf("%.1f%%", 100*p)
		}
		fmt.Fprintf(w, "%-22s %8d %5d %5d %10d %9s\n", s.Repo, s.Findings, s.True, s.False, len(s.Unlabelled), precision)
	}
	for _, s := range summaries {
		row(s)
		total.Findings += s.Findings
		total.True += s.True
		total.False += s.False
		total.Unlabelled = append(total.Unlabelled, s.Unlabelled...)
	}
	if len(summaries) > 1 {
		row(total)
	}
	for _, s := range summaries {
		for _, f := range s.Unlabelled {
			fmt.Fprintf(w, "unlabelled: %s\t%s\t%s\t%s\t%s\n", f.Repo, f.Commit, f.LabelPosition(), f.Check, f.Message)
		}
		for _, j := range s.Returned {
			fmt.Fprintf(w, "fixed false positive is back: %s %s %s (labels line %d)\n", j.Repo, j.LabelPosition(), j.Check, j.Label.Line)
		}
		lost := append([]Label(nil), s.Lost...)
		sort.Slice(lost, func(i, j int) bool { return lost[i].Line < lost[j].Line })
		for _, l := range lost {
			fmt.Fprintf(w, "true positive no longer reported: %s %s %s (labels line %d)\n", l.Repo, l.Position, l.Check, l.Line)
		}
	}
}
