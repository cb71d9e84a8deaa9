package clientchurn_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/internal/findingtest"
)

// TestUnseenShapes runs the shapes of real code from repositories
// churnlint was not tuned on (testdata/realworld/README.md).
func TestUnseenShapes(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "unseen", "unseen/pkg/appfetch")
}

// TestSharedInstance checks that a value a package shares as an exported
// variable has operations called per call, reported where the pool is
// made, and that its users' loops are not reported again.
func TestSharedInstance(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "sharedinst", "sharedinstuser")
}

// TestDependencyChurnAtCaller checks that a pool a dependency makes per
// call is reported at its caller when the dependency is in the module
// cache, where no driver shows the dependency's own findings.
func TestDependencyChurnAtCaller(t *testing.T) {
	t.Setenv("GOMODCACHE", filepath.Join(analysistest.TestData(), "src", "depcache"))
	analysistest.Run(t, analysistest.TestData(), findingtest.Wrap(t, clientchurn.Analyzer), "depuser")
}
