package lifetime

import (
	"flag"
	"fmt"
	"go/token"
	"strings"
	"sync"

	"github.com/churnlint/churnlint/analyzers/catalog"
)

// Config is the configuration the core shares with every check built on it.
// The checks expose it as their own flags (-clientchurn.constructors, ...),
// so all names set the same values: a fact computed for a dependency must
// mean the same thing whichever check asked for it.
type Config struct {
	Constructors catalog.Extra
	EntryPoints  List // extra per-call entry points: method names or parameter types
	Lifecycle    List // interfaces (import/path.Name) whose methods the host calls to shut an owner down
	Release      List // extra names of methods that release an owner
	Tests        bool // report in _test.go files too
	Generated    bool // report in generated files too

	once sync.Once
	cat  *catalog.Catalog
}

// Settings is the configuration in force for this process.
var Settings = NewConfig()

// NewConfig returns an empty configuration whose lists know what they
// accept.
func NewConfig() *Config {
	return &Config{
		EntryPoints: List{what: "entry point", names: true, types: true},
		Lifecycle:   List{what: "lifecycle interface", types: true},
		Release:     List{what: "release method", names: true},
	}
}

// RegisterFlags adds the shared flags to a check's flag set.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Var(&c.Constructors, "constructors",
		"comma-separated extra pool constructors, as import/path.Func or import/path.Type.Method, optionally with :transport, :client or :conn")
	fs.Var(&c.EntryPoints, "entrypoints",
		"comma-separated extra per-call entry points: a method name (Handle) or a parameter type (github.com/acme/web.Context)")
	fs.Var(&c.Lifecycle, "lifecycle",
		"comma-separated lifecycle interfaces of the host (import/path.Name); by default any interface in scope declaring Shutdown(context.Context) error")
	fs.Var(&c.Release, "release",
		"comma-separated extra method names that release an owner's pools (Shutdown, Close and Stop always do)")
	fs.BoolVar(&c.Tests, "tests", c.Tests, "also report in _test.go files")
	fs.BoolVar(&c.Generated, "generated", c.Generated, "also report in generated files")
}

// Catalog returns the builtin catalog plus the user's constructors. It is
// built once, after flags are parsed.
func (c *Config) Catalog() *catalog.Catalog {
	c.once.Do(func() { c.cat = c.Constructors.Catalog() })
	return c.cat
}

// List is a comma-separated list flag of method names and/or qualified
// type names (import/path.Name), as the list says it accepts.
type List struct {
	what         string // what an item is, for errors
	names, types bool   // accepts bare identifiers, qualified type names

	mu    sync.Mutex
	items []string
}

func (l *List) want() string {
	switch {
	case l.names && l.types:
		return "a method name or an import/path.Type"
	case l.types:
		return "an import/path.Type"
	}
	return "a method name"
}

func (l *List) String() string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.items, ",")
}

// Set appends the comma-separated items of s.
func (l *List) Set(s string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		qualified := strings.Contains(item, ".")
		ok := !strings.ContainsAny(item, " \t()*") &&
			((qualified && l.types && token.IsIdentifier(item[strings.LastIndex(item, ".")+1:])) ||
				(!qualified && l.names && token.IsIdentifier(item)))
		if !ok {
			return fmt.Errorf("%s %q: want %s", l.what, item, l.want())
		}
		l.items = append(l.items, item)
	}
	return nil
}

// Items returns the list's items.
func (l *List) Items() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.items...)
}
