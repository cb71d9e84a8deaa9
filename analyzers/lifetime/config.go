package lifetime

import (
	"flag"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/catalog"
	"github.com/churnlint/churnlint/analyzers/knowledge"
)

// ConfigAnalyzer holds churnlint's settings as its flags and hands them to
// the analysis as its Result, a *Config (as nilaway's config analyzer
// does). The checks expose the same flags under their own names
// (-clientchurn.constructors, -clientshutdown.release, ...: see
// ShareFlags), so every name sets one value: a fact computed for a
// dependency means the same thing whichever check asked for it.
var ConfigAnalyzer = &analysis.Analyzer{
	Name:       "churnlintconfig",
	Doc:        "hold churnlint's settings (its flags) and pass them to the checks as a *Config",
	URL:        "https://github.com/churnlint/churnlint",
	Run:        runConfig,
	ResultType: reflect.TypeFor[*Config](),
}

func init() {
	addFlags(&ConfigAnalyzer.Flags)
}

func runConfig(pass *analysis.Pass) (any, error) { return ConfigOf(&pass.Analyzer.Flags), nil }

// Config is the settings in force for one analysis. It is a value: it is
// read from the flags when a pass starts and not changed after.
type Config struct {
	Constructors []string // extra pool constructors, as catalog.ParseEntry reads them
	EntryPoints  []string // extra per-call entry points: method names or import/path.Type
	Lifecycle    []string // interfaces (import/path.Name) whose methods the host calls to shut an owner down
	Release      []string // extra names of methods that release an owner
	Tests        bool     // report in _test.go files too
	Generated    bool     // report in generated files too

	// Catalog is knowledge's pool types and constructors plus Constructors.
	Catalog  *catalog.Catalog
	releases map[string]bool
}

// Setting is one of churnlint's settings. Each is a flag of
// ConfigAnalyzer (and of each check, by the same name), a key of
// .churnlint.yml and a key of the golangci-lint plugin's settings: adding
// one is one line in Settings and a field of Config.
type Setting struct {
	Name  string
	Usage string
	// A list setting has items, each checked by item; a boolean one has
	// a pointer into Config instead.
	item    func(string) error
	list    func(*Config) *[]string
	boolean func(*Config) *bool
}

// IsList says whether the setting is a list of items (else a boolean).
func (s Setting) IsList() bool { return s.list != nil }

// Settings are churnlint's settings, in the order they are documented.
var Settings = []Setting{
	{Name: "constructors", Usage: "comma-separated extra pool constructors, as import/path.Func or import/path.Type.Method, optionally with :transport, :client or :conn",
		item: func(s string) error { _, err := catalog.ParseEntry(s); return err }, list: func(c *Config) *[]string { return &c.Constructors }},
	{Name: "entrypoints", Usage: "comma-separated extra per-call entry points: a method name (Handle) or a parameter type (github.com/acme/web.Context)",
		item: itemOf("entry point", true, true), list: func(c *Config) *[]string { return &c.EntryPoints }},
	{Name: "lifecycle", Usage: "comma-separated lifecycle interfaces of the host (import/path.Name); by default any interface in scope declaring Shutdown(context.Context) error",
		item: itemOf("lifecycle interface", false, true), list: func(c *Config) *[]string { return &c.Lifecycle }},
	{Name: "release", Usage: "comma-separated extra method names that release an owner's pools (" + releaseNamesText() + " always do)",
		item: itemOf("release method", true, false), list: func(c *Config) *[]string { return &c.Release }},
	{Name: "tests", Usage: "also report in _test.go files", boolean: func(c *Config) *bool { return &c.Tests }},
	{Name: "generated", Usage: "also report in generated files", boolean: func(c *Config) *bool { return &c.Generated }},
}

// SettingNames are the settings' names, in the order they are documented.
func SettingNames() []string {
	names := make([]string, len(Settings))
	for i, s := range Settings {
		names[i] = s.Name
	}
	return names
}

func releaseNamesText() string {
	var names []string
	for _, n := range knowledge.ReleaseNames {
		names = append(names, n.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// NewFlagSet returns a flag set with the settings as flags, holding values
// of its own: for trying settings without touching those in force.
func NewFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	addFlags(fs)
	return fs
}

func addFlags(fs *flag.FlagSet) {
	for _, s := range Settings {
		if s.IsList() {
			fs.Var(&listValue{check: s.item}, s.Name, s.Usage)
		} else {
			fs.Var(new(boolValue), s.Name, s.Usage)
		}
	}
}

// ShareFlags adds ConfigAnalyzer's flags to a check's flag set, under the
// same names and with the same values: the check's flags are aliases.
func ShareFlags(fs *flag.FlagSet) {
	ConfigAnalyzer.Flags.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
}

// ConfigOf returns the settings the flags of fs (made by NewFlagSet, or
// ConfigAnalyzer's) hold now. Drivers that decide something before any
// pass runs (which packages to load from source) read
// ConfigOf(&ConfigAnalyzer.Flags); analyzers read ConfigAnalyzer's Result.
func ConfigOf(fs *flag.FlagSet) *Config {
	c := new(Config)
	for _, s := range Settings {
		v := fs.Lookup(s.Name).Value.(flag.Getter).Get()
		if s.IsList() {
			*s.list(c) = v.([]string)
		} else {
			*s.boolean(c) = v.(bool)
		}
	}
	entries := knowledge.ConstructorEntries()
	for _, item := range c.Constructors {
		e, err := catalog.ParseEntry(item)
		if err != nil {
			panic(err) // checked when it was set
		}
		entries = append(entries, e)
	}
	c.Catalog = catalog.New(knowledge.PoolTypes, entries)
	c.releases = knowledge.Names(knowledge.ReleaseNames)
	for _, n := range c.Release {
		c.releases[n] = true
	}
	return c
}

// ReportsIn says whether checks report in file f: test and generated
// files only when the settings ask for them.
func (c *Config) ReportsIn(fset *token.FileSet, f *ast.File) bool {
	if strings.HasSuffix(fset.File(f.FileStart).Name(), "_test.go") && !c.Tests {
		return false
	}
	return !ast.IsGenerated(f) || c.Generated
}

// IsReleaseName reports whether a method of this name releases a pool
// (knowledge.ReleaseNames), or is configured to.
func (c *Config) IsReleaseName(name string) bool { return c.releases[name] }

// listValue is a comma-separated list flag; each Set appends.
type listValue struct {
	check func(string) error

	mu    sync.Mutex
	items []string
}

func (l *listValue) String() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.items, ",")
}

// Set appends the comma-separated items of s.
func (l *listValue) Set(s string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if err := l.check(item); err != nil {
			return err
		}
		l.items = append(l.items, item)
	}
	return nil
}

// Get returns a copy of the items.
func (l *listValue) Get() any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.items...)
}

// boolValue is a boolean flag.
type boolValue struct {
	mu sync.Mutex
	on bool
}

func (b *boolValue) String() string {
	if b == nil {
		return "false"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return strconv.FormatBool(b.on)
}

func (b *boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.on = v
	return nil
}

func (b *boolValue) Get() any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.on
}

func (b *boolValue) IsBoolFlag() bool { return true }

// itemOf checks an item of a list of method names and/or qualified type
// names (import/path.Name).
func itemOf(what string, names, types bool) func(string) error {
	want := "a method name"
	switch {
	case names && types:
		want = "a method name or an import/path.Type"
	case types:
		want = "an import/path.Type"
	}
	return func(item string) error {
		qualified := strings.Contains(item, ".")
		ok := !strings.ContainsAny(item, " \t()*") &&
			((qualified && types && token.IsIdentifier(item[strings.LastIndex(item, ".")+1:])) ||
				(!qualified && names && token.IsIdentifier(item)))
		if !ok {
			return fmt.Errorf("%s %q: want %s", what, item, want)
		}
		return nil
	}
}
