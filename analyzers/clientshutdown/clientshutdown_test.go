package clientshutdown_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/internal/findingtest"
	"github.com/churnlint/churnlint/analyzers/internal/fixcheck"
)

// TestOwners checks every diagnostic, and that each fix produces the
// .golden file next to its source (which compiles and no longer reports:
// the end-to-end tests re-run the analyzer on fixed code).
func TestOwners(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), findingtest.Wrap(t, clientshutdown.Analyzer), "owners", "plugins", "caddymod", "providers")
}

// TestEveryFindingFixedOrExplained checks, over every fixture package,
// that each diagnostic either offers a fix or says why it cannot.
func TestEveryFindingFixedOrExplained(t *testing.T) {
	fixcheck.FixedOrExplained(t, analysistest.TestData(), clientshutdown.Analyzer)
}

// TestFixedOwnersStayQuiet applies every fix (the .golden files) and
// analyses the result again: it must type-check and report only the
// findings that had no fix.
func TestFixedOwnersStayQuiet(t *testing.T) {
	pkgs := []string{"owners", "plugins", "unseenowners", "ctxbound"}
	root := fixcheck.Fixed(t, analysistest.TestData(), pkgs...)
	fixcheck.OnlyExplained(t, root, clientshutdown.Analyzer, pkgs...)
}

// TestUnseenOwners runs owner shapes from repositories churnlint was not
// tuned on (testdata/realworld/README.md).
func TestUnseenOwners(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), findingtest.Wrap(t, clientshutdown.Analyzer), "unseenowners", "unseenowners/pkg/metricsservice", "unseenowners/pkg/resolver", "ctxbound")
}
