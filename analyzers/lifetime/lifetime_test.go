package lifetime_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// TestFacts checks the function summaries exported for other packages.
func TestFacts(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), lifetime.Analyzer, "facts")
}
