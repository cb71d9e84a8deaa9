// Command churnlint reports connection pools created per call and owners
// that never release the pools they open.
//
//	churnlint ./...
//	go vet -vettool=$(which churnlint) ./...
//	go fix -fixtool=$(which churnlint) ./...
package main

import (
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
)

func main() {
	multichecker.Main(clientchurn.Analyzer, clientshutdown.Analyzer)
}
