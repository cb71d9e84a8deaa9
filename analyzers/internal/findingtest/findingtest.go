// Package findingtest lets analysistest's `// want` patterns see a
// finding's related information, and checks the shape of every message.
//
// analysistest matches a pattern against the message alone. churnlint's
// messages are one sentence; the chain of calls, why a function runs per
// call, where the pool is created and why there is no fix are related
// information. Wrap appends each related message to the message as
// " | text", so that fixtures keep asserting them, and fails the test for
// any message of 120 characters or more, or of more than one line.
package findingtest

import (
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// MaxLen bounds a message: one line a reader takes in at a glance, as
// go vet's and staticcheck's are.
const MaxLen = 120

// Wrap returns a with its diagnostics' related information folded into
// their messages, and every message checked.
func Wrap(t testing.TB, a *analysis.Analyzer) *analysis.Analyzer {
	w := *a
	w.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			if problem := Check(d.Message); problem != "" {
				t.Errorf("%s: %s: %q", pass.Fset.Position(d.Pos), problem, d.Message)
			}
			for _, r := range d.Related {
				d.Message += " | " + r.Message
			}
			pass.Report(d)
		}
		return a.Run(&p)
	}
	return &w
}

// Check says what is wrong with a message, or "".
func Check(msg string) string {
	switch {
	case len(msg) >= MaxLen:
		return "a message of 120 characters or more"
	case strings.Contains(msg, "\n"):
		return "a message of more than one line"
	}
	return ""
}
