package suppress_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/internal/findingtest"
)

// TestClientChurn checks //churnlint:ignore on clientchurn's findings: on
// the line, on the line above, over a statement, and each way a directive
// is itself reported. fix.go.golden checks that a suppressed finding's fix
// is not applied.
func TestClientChurn(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "churn")
}

// TestClientShutdown checks the same for clientshutdown, whose findings
// sit on a type or a method.
func TestClientShutdown(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), findingtest.Wrap(t, clientshutdown.Analyzer), "owners")
}
