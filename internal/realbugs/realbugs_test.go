package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	preCommit = "1111111111111111111111111111111111111111"
	fixCommit = "2222222222222222222222222222222222222222"
)

func caseLine(fields ...string) string { return strings.Join(fields, "\t") }

var goodLine = caseLine("demo", "acme/widget", "https://github.com/acme/widget/pull/1", preCommit, fixCommit,
	".", "./pkg/http,./cmd", "clientchurn|clientshutdown", "pkg/http/http.go:46,pkg/http/http.go:33",
	"pkg/http/http.go:47-92", "-", "Get builds a transport per call")

func TestParseCases(t *testing.T) {
	in := "# header\n\n" + goodLine + "\n"
	cases, err := parseCases(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 {
		t.Fatalf("got %d cases, want 1", len(cases))
	}
	c := cases[0]
	want := Case{
		ID: "demo", Repo: "acme/widget", URL: "https://github.com/acme/widget/pull/1",
		Pre: preCommit, Fix: fixCommit, Module: ".",
		Packages: []string{"./pkg/http", "./cmd"},
		Checks:   []string{"clientchurn", "clientshutdown"},
		Expected: []Position{{"pkg/http/http.go", 46}, {"pkg/http/http.go", 33}},
		FixSite:  []Range{{"pkg/http/http.go", 47, 92}},
		Shape:    "Get builds a transport per call",
		Line:     3,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestParseCasesNoFixSiteAndTags(t *testing.T) {
	line := caseLine("demo", "acme/widget", "u", preCommit, fixCommit, "sdk/go", "./...", "clientshutdown",
		"a.go:1", "-", "integration", "s")
	cases, err := parseCases(strings.NewReader(line))
	if err != nil {
		t.Fatal(err)
	}
	if c := cases[0]; c.FixSite != nil || c.Tags != "integration" || c.Module != "sdk/go" {
		t.Errorf("got fix site %v, tags %q, module %q", c.FixSite, c.Tags, c.Module)
	}
}

func TestParseCasesErrors(t *testing.T) {
	replace := func(col int, v string) string {
		f := strings.Split(goodLine, "\t")
		f[col] = v
		return strings.Join(f, "\t")
	}
	tests := []struct {
		name, in, want string
	}{
		{"too few columns", "demo\tacme/widget", "want 12 tab-separated columns"},
		{"duplicate id", goodLine + "\n" + goodLine, "already used on line 1"},
		{"repo", replace(1, "widget"), "not owner/name"},
		{"short commit", replace(3, "abc123"), "not a full commit hash"},
		{"module outside", replace(5, "../x"), "module"},
		{"unknown check", replace(7, "clientchrun"), "neither clientchurn nor clientshutdown"},
		{"position without line", replace(8, "a.go"), "want file:line"},
		{"no position", replace(8, ""), "no expected position"},
		{"backwards range", replace(9, "a.go:9-3"), "start <= end"},
		{"no packages", replace(6, " , "), "no packages"},
	}
	for _, tt := range tests {
		_, err := parseCases(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParsePositionWithColonInFile(t *testing.T) {
	p, err := parsePosition("c:/src/a.go:12")
	if err != nil || p != (Position{"c:/src/a.go", 12}) {
		t.Errorf("got %v, %v", p, err)
	}
	if _, err := parsePosition("a.go:0"); err == nil {
		t.Error("line 0 accepted")
	}
}

func demoCase() Case {
	return Case{
		ID:       "demo",
		Checks:   []string{"clientchurn"},
		Expected: []Position{{"pkg/http/http.go", 46}, {"pkg/http/http.go", 33}},
		FixSite:  []Range{{"pkg/http/http.go", 47, 92}},
	}
}

func TestScorePre(t *testing.T) {
	c := demoCase()
	churn := func(file string, line int) Finding { return Finding{Check: "clientchurn", Pos: Position{file, line}} }
	tests := []struct {
		name     string
		findings []Finding
		want     string
		at       int
	}{
		{"no findings", nil, verdictMiss, 0},
		{"creation site", []Finding{churn("pkg/http/http.go", 46)}, verdictHit, 1},
		{"caller", []Finding{churn("other.go", 3), churn("pkg/http/http.go", 33)}, verdictHit, 1},
		{"same file, other line", []Finding{churn("pkg/http/http.go", 60)}, verdictWrongSite, 1},
		{"other file only", []Finding{churn("other.go", 46)}, verdictMiss, 0},
		{"right place, wrong check", []Finding{{Check: "clientshutdown", Pos: Position{"pkg/http/http.go", 46}}}, verdictMiss, 0},
		{"other caller, creation site related", []Finding{{Check: "clientchurn", Pos: Position{"api/client.go", 100}, Related: "a.go:1,pkg/http/http.go:46"}}, verdictHit, 1},
		{"related in an expected file only", []Finding{{Check: "clientchurn", Pos: Position{"api/client.go", 100}, Related: "pkg/http/http.go:70"}}, verdictWrongSite, 1},
	}
	for _, tt := range tests {
		got := scorePre(c, tt.findings)
		if got.Verdict != tt.want || len(got.At) != tt.at {
			t.Errorf("%s: got %s with %d findings, want %s with %d", tt.name, got.Verdict, len(got.At), tt.want, tt.at)
		}
	}
}

func TestScoreFix(t *testing.T) {
	c := demoCase()
	in := Finding{Check: "clientchurn", Pos: Position{"pkg/http/http.go", 50}}
	edge := Finding{Check: "clientchurn", Pos: Position{"pkg/http/http.go", 92}}
	out := Finding{Check: "clientchurn", Pos: Position{"pkg/http/http.go", 28}}
	other := Finding{Check: "clientshutdown", Pos: Position{"pkg/http/http.go", 50}}
	if got := scoreFix(c, []Finding{out, other}); got.Verdict != verdictQuiet {
		t.Errorf("outside the site or another check: got %s, want quiet", got.Verdict)
	}
	if got := scoreFix(c, []Finding{out, in, edge}); got.Verdict != verdictFlagged || len(got.At) != 2 {
		t.Errorf("inside the site: got %s with %v, want still-flagged with 2", got.Verdict, got.At)
	}
	viaRelated := Finding{Check: "clientchurn", Pos: Position{"api/client.go", 100}, Related: "pkg/http/http.go:60"}
	if got := scoreFix(c, []Finding{viaRelated}); got.Verdict != verdictFlagged {
		t.Errorf("caller pointing into the site: got %s, want still-flagged", got.Verdict)
	}
	c.FixSite = nil
	if got := scoreFix(c, []Finding{in}); got.Verdict != verdictNotScored {
		t.Errorf("no fix site: got %s", got.Verdict)
	}
}

func TestParseJSON(t *testing.T) {
	root := t.TempDir()
	mod := filepath.Join(root, "sdk", "go")
	abs := filepath.Join(root, "other", "x.go")
	in := `{
		"example.com/a": {"clientchurn": [
			{"posn": "internal/conn.go:62:11", "message": "m1"},
			{"posn": "` + abs + `:3:1", "message": "m2", "related": [{"posn": "internal/conn.go:70:2", "message": "created here"}]}
		]},
		"example.com/a [example.com/a.test]": {"clientchurn": [
			{"posn": "internal/conn.go:62:11", "message": "m1"}
		]},
		"example.com/b": {"clientshutdown": [{"posn": "/elsewhere/y.go:7:2", "message": "m3"}]}
	}`
	got, err := parseJSON(strings.NewReader(in), mod, root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Check: "clientshutdown", Pos: Position{"/elsewhere/y.go", 7}, Message: "m3"},
		{Check: "clientchurn", Pos: Position{"other/x.go", 3}, Related: "sdk/go/internal/conn.go:70", Message: "m2"},
		{Check: "clientchurn", Pos: Position{"sdk/go/internal/conn.go", 62}, Message: "m1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got, err := parseJSON(strings.NewReader(""), mod, root); err != nil || got != nil {
		t.Errorf("empty output: got %v, %v", got, err)
	}
	if _, err := parseJSON(strings.NewReader(`{"p": {"clientchurn": [{"posn": "nocolon"}]}}`), mod, root); err == nil {
		t.Error("a position without line and column was accepted")
	}
}

func TestTotals(t *testing.T) {
	var tot Totals
	for _, v := range [][2]string{
		{verdictHit, verdictQuiet}, {verdictHit, verdictFlagged}, {verdictMiss, verdictQuiet},
		{verdictWrongSite, verdictNotScored}, {verdictFailed, verdictFailed},
	} {
		tot.add(v[0], v[1])
	}
	want := "cases 5: hit 2, wrong-site 1, miss 1, failed 1; recall (hits / scored) 2/4 = 50%; fix quiet 2/3 = 67% (fix failed 1)"
	if got := tot.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := (Totals{}).String(); !strings.Contains(got, "recall (hits / scored) n/a") {
		t.Errorf("no cases: %s", got)
	}
}

func TestSelectCases(t *testing.T) {
	cases := []Case{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	got, err := selectCases(cases, []string{"c", "a"})
	if err != nil || len(got) != 2 || got[0].ID != "c" || got[1].ID != "a" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := selectCases(cases, []string{"z"}); err == nil {
		t.Error("an unknown id was accepted")
	}
	if got, _ := selectCases(cases, nil); len(got) != 3 {
		t.Errorf("no -only: got %d cases", len(got))
	}
}

func TestFindMirror(t *testing.T) {
	dir := t.TempDir()
	makeGitDir := func(p string) {
		if err := os.MkdirAll(filepath.Join(p, "objects"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	makeGitDir(filepath.Join(dir, "acme+widget", "repo"))
	makeGitDir(filepath.Join(dir, "acme+gadget-2"))
	r := &runner{mirrors: dir, mapping: mirrorMap{"acme/mapped": "/some/git"}}
	for repo, want := range map[string]string{
		"acme/widget": filepath.Join(dir, "acme+widget", "repo"),
		"acme/gadget": filepath.Join(dir, "acme+gadget-2"),
		"acme/mapped": "/some/git",
	} {
		if got, err := r.findMirror(repo); err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", repo, got, err, want)
		}
	}
	if _, err := r.findMirror("acme/missing"); err == nil || !strings.Contains(err.Error(), "fetch github:acme/missing") {
		t.Errorf("missing snapshot: got %v", err)
	}
}

func TestMirrorMapSet(t *testing.T) {
	m := make(mirrorMap)
	if err := m.Set("acme/widget=/git/dir"); err != nil || m["acme/widget"] != "/git/dir" {
		t.Errorf("got %v, %v", m, err)
	}
	for _, bad := range []string{"acme/widget", "widget=/x", "acme/widget="} {
		if err := m.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
