package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

var errHelp = errors.New("help requested")

// options are the standalone command's flags, after the config file.
type options struct {
	format  string
	fix     bool
	diff    bool
	tags    string
	config  string
	loader  string
	version bool
	enabled []*analysis.Analyzer

	cache      string // resolved directory, "" for none
	cacheStats bool
}

func (o *options) buildFlags() []string {
	if o.tags == "" {
		return nil
	}
	return []string{"-tags=" + o.tags}
}

// fullLoader reports whether to use the x/tools checker, which type-checks
// every dependency from source. Test variants need it: they share their
// package's path, which export data cannot tell apart.
func (o *options) fullLoader() bool {
	return o.loader == "full" || lifetime.ConfigOf(&lifetime.ConfigAnalyzer.Flags).Tests
}

func parseFlags(args []string, stderr io.Writer) (*options, []string, error) {
	o := &options{}
	fs := flag.NewFlagSet("churnlint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.format, "format", "text", "output format: text, json, sarif or github (GitHub Actions annotations)")
	jsonFlag := fs.Bool("json", false, "same as -format=json")
	fs.BoolVar(&o.fix, "fix", false, "apply the suggested fixes, then report what is left")
	fs.BoolVar(&o.diff, "diff", false, "print the suggested fixes as a unified diff instead of applying them")
	fs.StringVar(&o.tags, "tags", "", "comma-separated build tags")
	fs.StringVar(&o.config, "config", "", "configuration file (default: .churnlint.yml at the module root, if any; -config=none for no file)")
	fs.StringVar(&o.loader, "loader", "lean", "package loader: lean (dependencies from export data unless they can touch a pool) or full (every dependency from source, as the x/tools checker does)")
	fs.BoolVar(&o.version, "V", false, "print the version and exit")
	cacheFlag := fs.String("cache", "", "cache directory, or off (default: $"+cacheEnv+", else churnlint/ in the user cache directory); the lean loader reuses a package's results while its sources, its dependencies' exports and facts, the settings and the tool are unchanged")
	fs.BoolVar(&o.cacheStats, "cachestats", false, "print how many packages came from the cache to standard error")
	enable := make(map[*analysis.Analyzer]*bool)
	for _, a := range checks {
		enable[a] = fs.Bool(a.Name, true, "run the "+a.Name+" check (-"+a.Name+"=false to disable it)")
		a.Flags.VisitAll(func(f *flag.Flag) {
			fs.Var(f.Value, a.Name+"."+f.Name, f.Usage)
		})
	}
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, errHelp
		}
		return nil, nil, err
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *jsonFlag {
		if set["format"] && o.format != "json" {
			return nil, nil, fmt.Errorf("-json and -format=%s disagree", o.format)
		}
		o.format = "json"
	}
	switch o.format {
	case "text", "json", "sarif", "github":
	default:
		return nil, nil, fmt.Errorf("-format=%s: want text, json, sarif or github", o.format)
	}
	switch o.loader {
	case "lean", "full":
	default:
		return nil, nil, fmt.Errorf("-loader=%s: want lean or full", o.loader)
	}
	if o.fix && o.diff {
		return nil, nil, errors.New("-fix and -diff: choose one")
	}
	var err error
	if o.cache, err = cacheDir(*cacheFlag); err != nil {
		return nil, nil, err
	}

	// The config file sets what the command line left alone: a flag always
	// wins over the file.
	path, err := findConfig(o.config)
	if err != nil {
		return nil, nil, err
	}
	if path != "" {
		cfg, err := readConfig(path)
		if err != nil {
			return nil, nil, err
		}
		if err := cfg.apply(&lifetime.ConfigAnalyzer.Flags, set, enable); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	for _, a := range checks {
		if *enable[a] {
			o.enabled = append(o.enabled, a)
		}
	}
	if len(o.enabled) == 0 {
		return nil, nil, errors.New("every check is disabled")
	}
	return o, fs.Args(), nil
}

const usage = `churnlint finds HTTP connection pools created per call and owners that never
release the pools they open.

Usage:
  churnlint [flags] packages...     report (exit 0 clean, 3 findings, 1 failure)
  churnlint -fix packages...        apply the suggested fixes, report what is left
  churnlint help [check]            what a check finds, and its flags
  go vet -vettool=$(which churnlint) [flags] packages...
  go fix -fixtool=$(which churnlint) packages...

Settings also come from .churnlint.yml at the module root (see -config).

Flags:
`

// help prints the checks, or one check's documentation and flags.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage[:strings.Index(usage, "Flags:")])
		fmt.Fprintln(stdout, "Checks:")
		for _, a := range checks {
			first, _, _ := strings.Cut(a.Doc, "\n")
			fmt.Fprintf(stdout, "  %-15s %s\n", a.Name, first)
		}
		fmt.Fprintln(stdout, "\nRun 'churnlint help <check>' for a check's documentation and flags, 'churnlint -help' for every flag.")
		return exitClean
	}
	code := exitClean
	for _, name := range args {
		var found *analysis.Analyzer
		for _, a := range checks {
			if a.Name == name {
				found = a
			}
		}
		if found == nil {
			fmt.Fprintf(stderr, "churnlint: no check named %q (have: clientchurn, clientshutdown)\n", name)
			code = exitFailure
			continue
		}
		fmt.Fprintf(stdout, "%s: %s\n", found.Name, strings.TrimSpace(found.Doc))
		if found.URL != "" {
			fmt.Fprintf(stdout, "\nMore: %s\n", found.URL)
		}
		fmt.Fprintln(stdout, "\nFlags:")
		found.Flags.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(stdout, "  -%s.%s\n    \t%s\n", found.Name, f.Name, f.Usage)
		})
	}
	return code
}

// buildVersion, when set with -ldflags "-X main.buildVersion=v1.2.3", is
// the version of a build that has no module version of its own (a build
// from a checkout, a distribution's package).
var buildVersion string

// modulePath is churnlint's module, which a build may include as the main
// module (go install ...@v1.2.3) or as a dependency (a tool directive, a
// wrapper that adds analyzers).
const modulePath = "github.com/churnlint/churnlint"

// version is the module version churnlint was built from.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	if bi.Main.Path == modulePath && bi.Main.Version != "" {
		return bi.Main.Version
	}
	for _, m := range bi.Deps {
		if m.Path == modulePath && m.Version != "" {
			return m.Version // the required version, even when replaced
		}
	}
	return "(devel)"
}
