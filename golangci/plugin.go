// Package golangci is churnlint's golangci-lint v2 module plugin.
//
// It registers the linter "churnlint", which runs the clientchurn and
// clientshutdown analyzers. Build a golangci-lint binary that includes it
// with `golangci-lint custom` (see .custom-gcl.yml at the repository root,
// or scripts/golangci-custom.sh to build without reaching GitHub), then
// enable it in .golangci.yml:
//
//	linters:
//	  enable:
//	    - churnlint
//	  settings:
//	    custom:
//	      churnlint:
//	        type: module
//	        description: HTTP connection pools created per call, and owners that never release theirs
//	        settings:
//	          constructors: [example.com/httpx.NewClient:client]
//	          entrypoints: [Handle]
//	          lifecycle: [example.com/host.Service]
//	          release: [Terminate]
//	          tests: false
//	          generated: false
//
// The settings are the command's flags (-clientchurn.constructors, ...) and
// land in the same place: lifetime.Settings, shared by both analyzers.
package golangci

import (
	"flag"
	"fmt"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

func init() {
	register.Plugin("churnlint", New)
}

// Settings is the `settings:` block of linters.settings.custom.churnlint.
// Each key is one of the command's flags; a key not listed here is an error.
type Settings struct {
	// Constructors are extra pool constructors: import/path.Func or
	// import/path.Type.Method, optionally with :transport, :client or :conn.
	Constructors []string `json:"constructors" mapstructure:"constructors"`
	// EntryPoints are extra per-call entry points: a method name (Handle)
	// or a parameter type (github.com/acme/web.Context).
	EntryPoints []string `json:"entrypoints" mapstructure:"entrypoints"`
	// Lifecycle are the host's lifecycle interfaces (import/path.Name).
	Lifecycle []string `json:"lifecycle" mapstructure:"lifecycle"`
	// Release are extra names of methods that release an owner's pools.
	Release []string `json:"release" mapstructure:"release"`
	// Tests reports in _test.go files too (golangci-lint's run.tests must
	// also be true, its default, for them to be analysed at all).
	Tests bool `json:"tests" mapstructure:"tests"`
	// Generated reports in generated files too (golangci-lint drops issues
	// in generated files unless linters.exclusions.generated is "disable").
	Generated bool `json:"generated" mapstructure:"generated"`
}

// keys are the settings' names, in the order they are documented.
var keys = []string{"constructors", "entrypoints", "lifecycle", "release", "tests", "generated"}

// Plugin is the churnlint linter for golangci-lint.
type Plugin struct {
	settings Settings
}

var _ register.LinterPlugin = (*Plugin)(nil)

// New decodes the settings and applies them to the configuration the
// analyzers read. golangci-lint calls it once, before any analysis.
//
// The configuration is process-wide, as it is for the command: a list item
// already in force is not added twice, so calling New again with the same
// settings changes nothing, but items cannot be removed.
func New(raw any) (register.LinterPlugin, error) {
	if err := checkKeys(raw); err != nil {
		return nil, err
	}
	s, err := register.DecodeSettings[Settings](raw)
	if err != nil {
		if strings.Contains(err.Error(), "unknown field") {
			return nil, fmt.Errorf("churnlint settings: %w (the keys are %s)", err, strings.Join(keys, ", "))
		}
		return nil, fmt.Errorf("churnlint settings: %w", err)
	}
	// Try the settings on a scratch configuration first, so that a bad
	// item leaves the one in force untouched.
	scratch := flag.NewFlagSet("churnlint", flag.ContinueOnError)
	lifetime.NewConfig().RegisterFlags(scratch)
	if err := apply(scratch, s); err != nil {
		return nil, err
	}
	if err := apply(&clientchurn.Analyzer.Flags, s); err != nil {
		return nil, err
	}
	return &Plugin{settings: s}, nil
}

// checkKeys rejects keys that are not settings with a message that names
// them. DecodeSettings rejects them too (it decodes with
// DisallowUnknownFields), but matches keys case-insensitively and stops at
// the first; golangci-lint hands the settings over as a map, so each key can
// be checked here.
func checkKeys(raw any) error {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil // nil, or something DecodeSettings will reject with its own error
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(keys, k) {
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	word := "key"
	if len(unknown) > 1 {
		word = "keys"
	}
	return fmt.Errorf("churnlint settings: unknown %s %s (the keys are %s)",
		word, strings.Join(unknown, ", "), strings.Join(keys, ", "))
}

// apply sets the settings through a flag set: clientchurn's flags write
// into lifetime.Settings, the configuration both analyzers share.
func apply(fs *flag.FlagSet, s Settings) error {
	lists := []struct {
		name  string
		items []string
	}{
		{"constructors", s.Constructors},
		{"entrypoints", s.EntryPoints},
		{"lifecycle", s.Lifecycle},
		{"release", s.Release},
	}
	for _, l := range lists {
		for i, item := range l.items {
			item = strings.TrimSpace(item)
			if item == "" {
				return fmt.Errorf("churnlint settings: %s[%d] is empty", l.name, i)
			}
			if inForce(fs, l.name, item) {
				continue
			}
			if err := setFlag(fs, l.name, item); err != nil {
				return fmt.Errorf("churnlint settings: %s[%d]: %w", l.name, i, err)
			}
		}
	}
	if err := setFlag(fs, "tests", strconv.FormatBool(s.Tests)); err != nil {
		return fmt.Errorf("churnlint settings: tests: %w", err)
	}
	if err := setFlag(fs, "generated", strconv.FormatBool(s.Generated)); err != nil {
		return fmt.Errorf("churnlint settings: generated: %w", err)
	}
	return nil
}

func setFlag(fs *flag.FlagSet, name, value string) error {
	if fs.Lookup(name) == nil {
		return fmt.Errorf("no flag %q", name)
	}
	return fs.Set(name, value)
}

// inForce says whether a list flag already holds item.
func inForce(fs *flag.FlagSet, name, item string) bool {
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	for _, have := range strings.Split(f.Value.String(), ",") {
		if strings.TrimSpace(have) == item {
			return true
		}
	}
	return false
}

// BuildAnalyzers returns clientchurn and clientshutdown, each wrapped to
// fit golangci-lint's way with diagnostics (see adapt).
func (p *Plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{wrap(clientchurn.Analyzer), wrap(clientshutdown.Analyzer)}, nil
}

// GetLoadMode asks for type information: the analyzers build SSA.
func (p *Plugin) GetLoadMode() string {
	return register.LoadModeTypesInfo
}

// wrap returns an analyzer with a's name, documentation and requirements
// that runs a and passes its diagnostics through adapt. The settings stay
// on a's flags: the wrapper has none of its own.
func wrap(a *analysis.Analyzer) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name:             a.Name,
		Doc:              a.Doc,
		URL:              a.URL,
		Requires:         a.Requires,
		ResultType:       a.ResultType,
		FactTypes:        a.FactTypes,
		RunDespiteErrors: a.RunDespiteErrors,
		Run: func(pass *analysis.Pass) (any, error) {
			p := *pass
			p.Report = func(d analysis.Diagnostic) { pass.Report(adapt(pass.Fset, d)) }
			return a.Run(&p)
		},
	}
}

// adapt fits a diagnostic to golangci-lint, which
//
//   - turns each piece of related information into an issue of its own, at
//     another line: `//nolint:churnlint` on the finding then leaves a stray
//     "(related information)" issue, counted, reported in SARIF and left
//     "unfixed" by --fix. adapt appends the related information to the
//     message instead, as [file.go:line:col: text; ...];
//   - applies, of a suggested fix, only the edits in the diagnostic's own
//     file: a fix that edits another file would be applied in part. adapt
//     drops such a fix and says so in the message (churnlint -fix applies it).
func adapt(fset *token.FileSet, d analysis.Diagnostic) analysis.Diagnostic {
	file := fset.File(d.Pos)
	var fixes []analysis.SuggestedFix
	split := false
	for _, f := range d.SuggestedFixes {
		if inFile(fset, file, f) {
			fixes = append(fixes, f)
		} else {
			split = true
		}
	}
	d.SuggestedFixes = fixes
	var notes []string
	for _, r := range d.Related {
		if p := fset.Position(r.Pos); p.IsValid() {
			notes = append(notes, fmt.Sprintf("%s:%d:%d: %s", filepath.Base(p.Filename), p.Line, p.Column, r.Message))
		} else {
			notes = append(notes, r.Message)
		}
	}
	d.Related = nil
	if len(notes) > 0 {
		d.Message += " [" + strings.Join(notes, "; ") + "]"
	}
	if split {
		d.Message += " [its suggested fix edits other files too, which golangci-lint cannot apply: run churnlint -fix]"
	}
	return d
}

// inFile says whether every edit of f lies in file.
func inFile(fset *token.FileSet, file *token.File, f analysis.SuggestedFix) bool {
	if file == nil {
		return false
	}
	for _, e := range f.TextEdits {
		if fset.File(e.Pos) != file || (e.End.IsValid() && fset.File(e.End) != file) {
			return false
		}
	}
	return true
}
