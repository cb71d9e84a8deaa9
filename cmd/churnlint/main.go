// Command churnlint reports connection pools created per call and owners
// that never release the pools they open.
//
//	churnlint ./...                          # report (exit 3 on findings)
//	churnlint -fix ./...                     # apply the suggested fixes
//	churnlint -format=sarif ./... > out.sarif
//	churnlint help clientchurn               # what a check finds and its flags
//	go vet -vettool=$(which churnlint) ./...
//	go fix -fixtool=$(which churnlint) ./...
//
// Run by go vet or go fix (a *.cfg argument, -V=full or -flags), it is a
// unitchecker like any vet tool. Run directly, it loads the packages
// itself: the named packages, and the dependencies that can touch a pool,
// from source; everything else from export data (see load.go).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
)

// Exit codes of the standalone command, in every output format.
const (
	exitClean    = 0
	exitFailure  = 1 // bad flags or config, a package that does not load or type-check
	exitFindings = 3
)

var checks = []*analysis.Analyzer{clientchurn.Analyzer, clientshutdown.Analyzer}

func main() {
	if invokedByGoCommand(os.Args[1:]) {
		unitchecker.Main(checks...) // does not return
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// invokedByGoCommand reports whether go vet or go fix runs us: they ask for
// our version (-V=full) and flags (-flags), then pass one config file.
func invokedByGoCommand(args []string) bool {
	for _, a := range args {
		if a == "-flags" || strings.HasPrefix(a, "-V=") || strings.HasPrefix(a, "--V=") {
			return true
		}
	}
	return len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg")
}

// run is the standalone command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "help" {
		return help(args[1:], stdout, stderr)
	}
	opts, patterns, err := parseFlags(args, stderr)
	if err != nil {
		if err == errHelp {
			return exitClean
		}
		fmt.Fprintf(stderr, "churnlint: %v\n", err)
		return exitFailure
	}
	if opts.version {
		fmt.Fprintf(stdout, "churnlint %s\n", version())
		return exitClean
	}
	if len(patterns) == 0 {
		fmt.Fprintln(stderr, "churnlint: no packages given (try: churnlint ./...)")
		return exitFailure
	}

	var results []*pkgResult
	if opts.fullLoader() {
		results, err = analyzeFull(opts.enabled, opts.buildFlags(), patterns)
	} else {
		var cache *actionCache
		if opts.cache != "" {
			registerFacts(checks)
			if cache, err = openCache(opts.cache, settingsID(opts.enabled, opts.buildFlags())); err != nil {
				fmt.Fprintf(stderr, "churnlint: %v\n", err)
				return exitFailure
			}
		}
		results, err = analyzeLean(opts.enabled, opts.buildFlags(), patterns, cache)
		if cache != nil && opts.cacheStats && cache.runHit {
			fmt.Fprintln(stderr, "churnlint: cache: the whole run from the cache (no input changed)")
		} else if cache != nil && opts.cacheStats {
			fmt.Fprintf(stderr, "churnlint: cache: %d packages from the cache, %d analysed, %d entries written\n", cache.hits.Load(), cache.misses.Load(), cache.stored.Load())
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "churnlint: %v\n", err)
		return exitFailure
	}

	failed := false
	for _, r := range results {
		for _, e := range r.Errors {
			failed = true
			fmt.Fprintf(stderr, "churnlint: %s: %s\n", r.Path, e)
		}
	}

	remaining := results
	if opts.fix || opts.diff {
		fixed, err := applyFixes(results, opts.diff, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "churnlint: %v\n", err)
			return exitFailure
		}
		if opts.fix {
			// What is left is what had no fix, or a fix that could not be
			// applied.
			remaining = withoutDiagnostics(results, fixed)
		}
	}

	n := 0
	if !opts.diff {
		n, err = write(opts.format, stdout, remaining)
		if err != nil {
			fmt.Fprintf(stderr, "churnlint: %v\n", err)
			return exitFailure
		}
	} else {
		n = countDiagnostics(results)
	}
	switch {
	case failed:
		return exitFailure
	case n > 0:
		return exitFindings
	}
	return exitClean
}
