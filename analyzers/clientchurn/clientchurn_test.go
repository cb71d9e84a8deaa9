package clientchurn_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
)

func TestShapes(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), clientchurn.Analyzer, "churn", "cmdmain")
}
