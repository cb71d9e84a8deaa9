package clientchurn_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/internal/findingtest"
)

// TestUnseenShapes runs the shapes of real code from repositories
// churnlint was not tuned on (testdata/realworld/README.md).
func TestUnseenShapes(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "unseen")
}

// TestSharedInstance checks that a value a package shares as an exported
// variable has operations called per call, reported where the pool is
// made, and that its users' loops are not reported again.
func TestSharedInstance(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "sharedinst", "sharedinstuser")
}
