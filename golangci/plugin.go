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
// land in the same place: the flags of lifetime.ConfigAnalyzer, whose
// Result both analyzers read.
package golangci

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/token"
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

// Settings is the `settings:` block of linters.settings.custom.churnlint,
// decoded: each key is one of lifetime.Settings (the command's flags); a
// key not among them is an error.
type Settings struct {
	Lists map[string][]string // list settings given, by name
	Bools map[string]bool     // every boolean setting (false when not given)
}

// Plugin is the churnlint linter for golangci-lint.
type Plugin struct {
	settings Settings
}

var _ register.LinterPlugin = (*Plugin)(nil)

// New decodes the settings and applies them to the configuration the
// analyzers read (lifetime.ConfigAnalyzer's flags). golangci-lint calls it
// once, before any analysis.
//
// The configuration is process-wide, as it is for the command: a list item
// already in force is not added twice, so calling New again with the same
// settings changes nothing, but items cannot be removed.
func New(raw any) (register.LinterPlugin, error) {
	if err := checkKeys(raw); err != nil {
		return nil, err
	}
	s, err := decode(raw)
	if err != nil {
		return nil, err
	}
	// Try the settings on a scratch configuration first, so that a bad
	// item leaves the one in force untouched.
	if err := apply(lifetime.NewFlagSet("churnlint"), s); err != nil {
		return nil, err
	}
	if err := apply(&lifetime.ConfigAnalyzer.Flags, s); err != nil {
		return nil, err
	}
	return &Plugin{settings: s}, nil
}

// decode reads the settings as DecodeSettings would (through JSON, so that
// any shape golangci-lint hands over works), one key at a time, so that
// lifetime.Settings alone says which keys there are.
func decode(raw any) (Settings, error) {
	s := Settings{Lists: make(map[string][]string), Bools: make(map[string]bool)}
	fields, err := register.DecodeSettings[map[string]json.RawMessage](raw)
	if err != nil {
		return s, fmt.Errorf("churnlint settings: %w", err)
	}
	var unknown []string
	for k := range fields {
		if !slices.Contains(lifetime.SettingNames(), k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return s, fmt.Errorf("churnlint settings: unknown field %q (the keys are %s)", unknown[0], keys())
	}
	for _, setting := range lifetime.Settings {
		text, given := fields[setting.Name]
		switch {
		case setting.IsList() && given:
			var items []string
			if err := json.Unmarshal(text, &items); err != nil {
				return s, fmt.Errorf("churnlint settings: %s: %w", setting.Name, err)
			}
			s.Lists[setting.Name] = items
		case !setting.IsList():
			var on bool
			if given {
				if err := json.Unmarshal(text, &on); err != nil {
					return s, fmt.Errorf("churnlint settings: %s: %w", setting.Name, err)
				}
			}
			s.Bools[setting.Name] = on
		}
	}
	return s, nil
}

// keys are the settings' names, in the order they are documented.
func keys() string { return strings.Join(lifetime.SettingNames(), ", ") }

// checkKeys rejects keys that are not settings with a message that names
// them all; golangci-lint hands the settings over as a map, so each key can
// be checked here.
func checkKeys(raw any) error {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil // nil, or something decode will reject with its own error
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(lifetime.SettingNames(), k) {
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
		word, strings.Join(unknown, ", "), keys())
}

// apply sets the settings through the settings' flags fs.
func apply(fs *flag.FlagSet, s Settings) error {
	for _, setting := range lifetime.Settings {
		name := setting.Name
		if !setting.IsList() {
			if err := setFlag(fs, name, strconv.FormatBool(s.Bools[name])); err != nil {
				return fmt.Errorf("churnlint settings: %s: %w", name, err)
			}
			continue
		}
		for i, item := range s.Lists[name] {
			item = strings.TrimSpace(item)
			if item == "" {
				return fmt.Errorf("churnlint settings: %s[%d] is empty", name, i)
			}
			if inForce(fs, name, item) {
				continue
			}
			if err := setFlag(fs, name, item); err != nil {
				return fmt.Errorf("churnlint settings: %s[%d]: %w", name, i, err)
			}
		}
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
	items, _ := f.Value.(flag.Getter).Get().([]string)
	return slices.Contains(items, item)
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
//     "unfixed" by --fix. adapt drops the related information: the
//     message is the same sentence churnlint prints everywhere, and the
//     chain, the creation site and why there is no fix are in churnlint's
//     own output (text, JSON, SARIF), as the linter's documentation says;
//   - applies, of a suggested fix, only the edits in the diagnostic's own
//     file: a fix that edits another file would be applied in part. adapt
//     drops such a fix (churnlint -fix applies it).
func adapt(fset *token.FileSet, d analysis.Diagnostic) analysis.Diagnostic {
	file := fset.File(d.Pos)
	var fixes []analysis.SuggestedFix
	for _, f := range d.SuggestedFixes {
		if inFile(fset, file, f) {
			fixes = append(fixes, f)
		}
	}
	d.SuggestedFixes = fixes
	d.Related = nil
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
