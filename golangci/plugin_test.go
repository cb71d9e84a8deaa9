package golangci

import (
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/churnlint/churnlint/analyzers/clientchurn"
	"github.com/churnlint/churnlint/analyzers/clientshutdown"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// The settings are process-wide (lifetime.ConfigAnalyzer's flags), so each test uses
// values of its own and checks that they are in force, not that nothing
// else is.

func TestRegistered(t *testing.T) {
	newPlugin, err := register.GetPlugin("churnlint")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(nil)
	if err != nil {
		t.Fatalf("no settings: %v", err)
	}
	as, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	want := []*analysis.Analyzer{clientchurn.Analyzer, clientshutdown.Analyzer}
	if len(as) != len(want) {
		t.Fatalf("BuildAnalyzers = %v, want clientchurn and clientshutdown", as)
	}
	for i, a := range as {
		w := want[i]
		if a.Name != w.Name || a.Doc != w.Doc || a.URL != w.URL || !slices.Equal(a.Requires, w.Requires) || a.Run == nil {
			t.Errorf("analyzer %d = %s, want a wrapper of %s with its name, doc, URL and requirements", i, a, w)
		}
	}
	if err := analysis.Validate(as); err != nil {
		t.Error(err)
	}
	if got := p.GetLoadMode(); got != register.LoadModeTypesInfo {
		t.Errorf("GetLoadMode = %q, want %q", got, register.LoadModeTypesInfo)
	}
}

func TestSettingsApplied(t *testing.T) {
	// As golangci-lint hands them over: decoded YAML, a map of any.
	raw := map[string]any{
		"constructors": []any{"example.com/httpx.NewClient:client", "example.com/httpx.Pool.Dial:conn"},
		"entrypoints":  []any{"HandleApplied", "example.com/web.ContextApplied"},
		"lifecycle":    []any{"example.com/host.ServiceApplied"},
		"release":      []any{"TerminateApplied"},
		"tests":        true,
		"generated":    true,
	}
	p, err := New(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := p.(*Plugin).settings
	if !slices.Equal(s.Lists["entrypoints"], []string{"HandleApplied", "example.com/web.ContextApplied"}) || !s.Bools["tests"] || !s.Bools["generated"] {
		t.Errorf("decoded %+v", s)
	}

	inForce := func() *lifetime.Config { return lifetime.ConfigOf(&lifetime.ConfigAnalyzer.Flags) }
	cfg := inForce()
	for _, c := range []struct {
		name  string
		have  []string
		wants []string
	}{
		{"constructors", cfg.Constructors, []string{"example.com/httpx.NewClient:client", "example.com/httpx.Pool.Dial:conn"}},
		{"entrypoints", cfg.EntryPoints, []string{"HandleApplied", "example.com/web.ContextApplied"}},
		{"lifecycle", cfg.Lifecycle, []string{"example.com/host.ServiceApplied"}},
		{"release", cfg.Release, []string{"TerminateApplied"}},
	} {
		for _, want := range c.wants {
			if !slices.Contains(c.have, want) {
				t.Errorf("settings in force: %s = %q, want it to hold %q", c.name, c.have, want)
			}
		}
	}
	if !cfg.Tests || !cfg.Generated {
		t.Errorf("settings in force: Tests=%v Generated=%v, want both true", cfg.Tests, cfg.Generated)
	}
	// clientshutdown reads the same configuration under its own flag names.
	if got := clientshutdown.Analyzer.Flags.Lookup("release").Value.String(); !strings.Contains(got, "TerminateApplied") {
		t.Errorf("clientshutdown -release = %q, want TerminateApplied in it", got)
	}

	// The same settings again add nothing.
	before := inForce().EntryPoints
	if _, err := New(raw); err != nil {
		t.Fatal(err)
	}
	if after := inForce().EntryPoints; !slices.Equal(before, after) {
		t.Errorf("second New changed entrypoints from %q to %q", before, after)
	}

	// And false turns the booleans off again.
	if _, err := New(map[string]any{"tests": false}); err != nil {
		t.Fatal(err)
	}
	if cfg := inForce(); cfg.Tests || cfg.Generated {
		t.Errorf("after tests: false, Tests=%v Generated=%v, want both false", cfg.Tests, cfg.Generated)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		raw   any
		wants []string // fragments of the error
	}{
		{"unknown key", map[string]any{"tests": true, "entry_points": []any{"Handle"}},
			[]string{`unknown key "entry_points"`, "the keys are constructors, entrypoints, lifecycle, release, tests, generated"}},
		{"unknown keys", map[string]any{"test": true, "Release": []any{"X"}},
			[]string{`unknown keys "Release", "test"`}},
		{"unknown key, not a map[string]any", map[string]string{"bogus": "1"},
			[]string{"churnlint settings:", `unknown field "bogus"`, "the keys are"}},
		{"bool as string", map[string]any{"tests": "yes"},
			[]string{"churnlint settings:", "tests", "bool"}},
		{"list as string", map[string]any{"release": "Terminate"},
			[]string{"churnlint settings:", "release", "[]string"}},
		{"list of numbers", map[string]any{"entrypoints": []any{1}},
			[]string{"churnlint settings:", "entrypoints", "string"}},
		{"not a mapping", []any{"tests"},
			[]string{"churnlint settings:", "cannot unmarshal array"}},
		{"bad entry point", map[string]any{"entrypoints": []any{"(*T).Handle"}},
			[]string{"churnlint settings: entrypoints[0]:", "want a method name"}},
		{"bad constructor", map[string]any{"constructors": []any{"example.com/x.New:socket"}},
			[]string{"churnlint settings: constructors[0]:"}},
		{"empty item", map[string]any{"release": []any{"Stop", " "}},
			[]string{"churnlint settings: release[1] is empty"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := lifetime.ConfigOf(&lifetime.ConfigAnalyzer.Flags).Release
			p, err := New(c.raw)
			t.Logf("%v", err)
			if after := lifetime.ConfigOf(&lifetime.ConfigAnalyzer.Flags).Release; !slices.Equal(after, before) {
				t.Errorf("a failed New changed release from %q to %q", before, after)
			}
			if err == nil {
				t.Fatalf("New(%v) = %v, want an error", c.raw, p)
			}
			for _, want := range c.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestAdapt(t *testing.T) {
	fset := token.NewFileSet()
	a := fset.AddFile("/src/a.go", -1, 100)
	b := fset.AddFile("/src/b.go", -1, 100)
	for i := 10; i < 100; i += 10 {
		a.AddLine(i)
		b.AddLine(i)
	}
	pos := a.Pos(12)
	sameFile := analysis.SuggestedFix{Message: "here", TextEdits: []analysis.TextEdit{
		{Pos: a.Pos(0), End: a.Pos(0), NewText: []byte("var x = 1\n")},
		{Pos: a.Pos(12), End: a.Pos(15), NewText: []byte("x")},
	}}
	otherFile := analysis.SuggestedFix{Message: "there", TextEdits: []analysis.TextEdit{
		{Pos: a.Pos(12), End: a.Pos(15), NewText: []byte("x")},
		{Pos: b.Pos(0), NewText: []byte("var x = 1\n")},
	}}

	d := adapt(fset, analysis.Diagnostic{
		Pos: pos, Message: "F creates a pool per call",
		Related: []analysis.RelatedInformation{
			{Pos: b.Pos(21), Message: "the pool is created here"},
			{Pos: a.Pos(1), Message: "F handles an HTTP request"},
		},
		SuggestedFixes: []analysis.SuggestedFix{sameFile},
	})
	if want := "F creates a pool per call"; d.Message != want {
		t.Errorf("message = %q, want %q: the same text as every other driver", d.Message, want)
	}
	if d.Related != nil {
		t.Errorf("related information left (golangci-lint makes each an issue): %v", d.Related)
	}
	if len(d.SuggestedFixes) != 1 || d.SuggestedFixes[0].Message != "here" {
		t.Errorf("fixes = %v, want the one in a.go kept", d.SuggestedFixes)
	}

	d = adapt(fset, analysis.Diagnostic{Pos: pos, Message: "m", SuggestedFixes: []analysis.SuggestedFix{otherFile}})
	if len(d.SuggestedFixes) != 0 || d.Message != "m" {
		t.Errorf("fixes = %v, message %q; want the fix reaching b.go dropped and the message unchanged", d.SuggestedFixes, d.Message)
	}

	d = adapt(fset, analysis.Diagnostic{Pos: pos, Message: "plain"})
	if d.Message != "plain" || d.SuggestedFixes != nil {
		t.Errorf("a plain diagnostic changed: %+v", d)
	}
}
