package main_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// jsonTree is what go vet -json and multichecker -json print: package ID,
// check, diagnostics.
type jsonTree map[string]map[string][]jsonDiagnostic

type jsonDiagnostic struct {
	Category       string `json:"category"`
	Posn           string `json:"posn"`
	End            string `json:"end"`
	Message        string `json:"message"`
	SuggestedFixes []struct {
		Message string `json:"message"`
		Edits   []struct {
			Filename string `json:"filename"`
			Start    int    `json:"start"`
			End      int    `json:"end"`
			New      string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
	Related []struct {
		Posn    string `json:"posn"`
		End     string `json:"end"`
		Message string `json:"message"`
	} `json:"related"`
}

// The standalone -json output is go vet's, field for field (absolute paths
// included): go vet prints one tree per package, the standalone command
// one for the run; merged, they are the same.
func TestJSONMatchesGoVet(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	standalone, code := runStdout(t, dir, churnlint, "-json", "./...")
	if code != 3 {
		t.Fatalf("churnlint -json: exit %d, want 3 (findings, as in every format)\n%s", code, standalone)
	}
	var got jsonTree
	if err := json.Unmarshal([]byte(standalone), &got); err != nil {
		t.Fatalf("-json output is not one JSON object: %v\n%s", err, standalone)
	}
	vetOut, code := run(t, dir, "go", "vet", "-vettool="+churnlint, "-json", "./...")
	if code != 0 {
		t.Fatalf("go vet -json: exit %d\n%s", code, vetOut)
	}
	want := make(jsonTree)
	dec := json.NewDecoder(strings.NewReader(vetOut))
	for {
		var one jsonTree
		if err := dec.Decode(&one); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go vet -json output: %v\n%s", err, vetOut)
		}
		for id, checks := range one {
			want[id] = checks
		}
	}
	if len(want) == 0 {
		t.Fatalf("go vet -json reported nothing:\n%s", vetOut)
	}
	// The order of a package's diagnostics is the order the check reported
	// them in, which the two drivers need not share.
	for _, tree := range []jsonTree{got, want} {
		for _, checks := range tree {
			for _, diags := range checks {
				sort.Slice(diags, func(i, j int) bool { return diags[i].Posn < diags[j].Posn })
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("churnlint -json and go vet -json differ:\nchurnlint:\n%s\ngo vet:\n%s", g, w)
	}
	// A sanity check that the comparison saw the real thing.
	handlers := got["example.com/churnyapp/handlers"]["clientchurn"]
	if len(handlers) != 3 || !filepath.IsAbs(strings.Split(handlers[0].Posn, ":")[0]) {
		t.Errorf("want 3 clientchurn diagnostics with absolute paths for handlers, got %+v", handlers)
	}
	if n := len(got["example.com/churnyapp/notify"]["clientshutdown"]); n != 1 {
		t.Errorf("got %d clientshutdown diagnostics for notify, want 1", n)
	}
}

// sarifLog is the part of SARIF the test reads.
type sarifLog struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name    string `json:"name"`
				Version string `json:"version"`
				Rules   []struct {
					ID               string    `json:"id"`
					ShortDescription *sarifMsg `json:"shortDescription"`
					FullDescription  *sarifMsg `json:"fullDescription"`
					Help             *sarifMsg `json:"help"`
					HelpURI          string    `json:"helpUri"`
					Properties       struct {
						Tags []string `json:"tags"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]struct {
			URI string `json:"uri"`
		} `json:"originalUriBaseIds"`
		Results []struct {
			RuleID           string          `json:"ruleId"`
			RuleIndex        *int            `json:"ruleIndex"`
			Message          *sarifMsg       `json:"message"`
			Locations        []sarifLocation `json:"locations"`
			RelatedLocations []sarifLocation `json:"relatedLocations"`
			Fixes            []struct {
				Description     *sarifMsg `json:"description"`
				ArtifactChanges []struct {
					ArtifactLocation sarifArtifact `json:"artifactLocation"`
					Replacements     []struct {
						DeletedRegion struct {
							ByteOffset *int `json:"byteOffset"`
							ByteLength *int `json:"byteLength"`
						} `json:"deletedRegion"`
					} `json:"replacements"`
				} `json:"artifactChanges"`
			} `json:"fixes"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifMsg struct {
	Text string `json:"text"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifLocation struct {
	ID               int `json:"id"`
	PhysicalLocation *struct {
		ArtifactLocation *sarifArtifact `json:"artifactLocation"`
		Region           *struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
	Message *sarifMsg `json:"message"`
}

func TestSARIF(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	out, code := runStdout(t, dir, churnlint, "-format=sarif", "./...")
	if code != 3 {
		t.Errorf("-format=sarif: exit %d, want 3\n%s", code, out)
	}
	if err := validateSARIFSchema(t, out); err != nil {
		t.Errorf("the log does not validate against the SARIF 2.1.0 schema: %v", err)
	}
	// The validator does reject what the schema does not allow.
	if validateSARIFSchema(t, strings.Replace(out, `"level": "warning"`, `"level": "loud"`, 1)) == nil {
		t.Errorf("a result with level \"loud\" validates: the schema check checks nothing")
	}
	checkNoPlaceholders(t, out)

	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, problem := range codeScanningProblems(&log) {
		t.Errorf("GitHub code scanning: %s", problem)
	}
	if t.Failed() {
		t.Logf("the log:\n%s", out)
	}
	r := log.Runs[0]
	if r.Tool.Driver.Version == "" {
		t.Errorf("the tool has no version")
	}
	var rules []string
	for _, rule := range r.Tool.Driver.Rules {
		rules = append(rules, rule.ID)
		if rule.Help == nil || !strings.Contains(rule.Help.Text, "Example") && len(rule.Help.Text) < 200 {
			t.Errorf("rule %s has no help text worth the name", rule.ID)
		}
		if !strings.HasPrefix(rule.HelpURI, "https://") {
			t.Errorf("rule %s has no help URI", rule.ID)
		}
	}
	if !slices.Equal(rules, []string{"clientchurn", "clientshutdown"}) {
		t.Errorf("rules %v", rules)
	}

	// Artifact URIs are relative to %SRCROOT%, which originalUriBaseIds
	// resolves to the directory churnlint ran in.
	base, err := url.Parse(r.OriginalURIBaseIDs["%SRCROOT%"].URI)
	if err != nil || base.Scheme != "file" || !strings.HasSuffix(base.Path, "/") {
		t.Fatalf("originalUriBaseIds[%%SRCROOT%%] = %q, want a file URI of a directory", r.OriginalURIBaseIDs["%SRCROOT%"].URI)
	}
	resolve := func(a *sarifArtifact) string {
		if a.URIBaseID != "%SRCROOT%" {
			t.Errorf("artifact %s: uriBaseId %q, want %%SRCROOT%%", a.URI, a.URIBaseID)
			return ""
		}
		ref, err := url.Parse(a.URI)
		if err != nil {
			t.Errorf("artifact %s: %v", a.URI, err)
			return ""
		}
		path := base.ResolveReference(ref).Path
		if _, err := os.Stat(path); err != nil {
			t.Errorf("artifact %s does not resolve to a file: %v", a.URI, err)
		}
		return path
	}

	var got []string
	fixes, related := 0, 0
	for _, res := range r.Results {
		loc := res.Locations[0].PhysicalLocation
		resolve(loc.ArtifactLocation)
		got = append(got, res.RuleID+" "+loc.ArtifactLocation.URI)
		for _, rel := range res.RelatedLocations {
			resolve(rel.PhysicalLocation.ArtifactLocation)
			related++
		}
		for _, fix := range res.Fixes {
			fixes++
			for _, ch := range fix.ArtifactChanges {
				resolve(&ch.ArtifactLocation)
				for _, rep := range ch.Replacements {
					if rep.DeletedRegion.ByteOffset == nil || rep.DeletedRegion.ByteLength == nil {
						t.Errorf("%s: a replacement without its byte range", res.RuleID)
					}
				}
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"clientchurn handlers/handlers.go", "clientchurn handlers/handlers.go", "clientchurn handlers/handlers.go",
		"clientchurn probes/probes.go", "clientchurn probes/probes.go",
		"clientchurn reports/reports.go", "clientshutdown notify/notify.go",
	}
	if !slices.Equal(got, want) {
		t.Errorf("results:\n got %v\nwant %v", got, want)
	}
	if fixes != 4 {
		t.Errorf("%d results carry a fix, want 4 (reports, notify and the two in probes)", fixes)
	}
	if related == 0 {
		t.Errorf("no result carries related locations")
	}
}

// validateSARIFSchema validates a log against the OASIS SARIF 2.1.0 schema
// (testdata/sarif, see its README).
func validateSARIFSchema(t *testing.T, log string) error {
	t.Helper()
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(log))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return sch.Validate(doc)
}

// checkNoPlaceholders fails on values that stand for "unset" (-1) and on
// empty arrays, which a writer should leave out. The one exception is a
// run's results, which code scanning requires even when empty.
func checkNoPlaceholders(t *testing.T, log string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(log), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			if len(v) == 0 && !strings.HasSuffix(path, ".results") {
				t.Errorf("%s: an empty array", path)
			}
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		case float64:
			if v < 0 {
				t.Errorf("%s: %v, a placeholder", path, v)
			}
		}
	}
	walk("$", v)
}

// codeScanningProblems checks what GitHub code scanning documents for an
// upload ("SARIF support for code scanning", docs.github.com, code-security
// reference): the required properties, and the limits past which it rejects
// a file or drops data.
func codeScanningProblems(log *sarifLog) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if log.Version != "2.1.0" {
		add("version %q, want 2.1.0 (the only one code scanning accepts)", log.Version)
	}
	if log.Schema == "" {
		add("no $schema")
	}
	if len(log.Runs) == 0 || len(log.Runs) > 20 {
		add("%d runs; want 1 to 20", len(log.Runs))
	}
	for ri, run := range log.Runs {
		d := run.Tool.Driver
		if d.Name == "" {
			add("run %d: tool.driver.name is required", ri)
		}
		if len(d.Rules) > 25000 || len(run.Results) > 25000 {
			add("run %d: over 25,000 rules or results", ri)
		}
		ids := make(map[string]bool)
		for _, rule := range d.Rules {
			ids[rule.ID] = true
			if rule.ID == "" {
				add("a rule without an id")
			}
			if rule.ShortDescription == nil || rule.ShortDescription.Text == "" || rule.FullDescription == nil || rule.FullDescription.Text == "" {
				add("rule %s: shortDescription and fullDescription are shown at the top of an alert", rule.ID)
			}
			if rule.Help == nil || rule.Help.Text == "" {
				add("rule %s: no help text", rule.ID)
			}
			if len(rule.Properties.Tags) > 20 {
				add("rule %s: over 20 tags", rule.ID)
			}
		}
		for i, res := range run.Results {
			if res.RuleID == "" || !ids[res.RuleID] {
				add("result %d: ruleId %q names no rule", i, res.RuleID)
			}
			if res.RuleIndex != nil && (*res.RuleIndex < 0 || *res.RuleIndex >= len(d.Rules) || d.Rules[*res.RuleIndex].ID != res.RuleID) {
				add("result %d: ruleIndex %d is not the rule %s", i, *res.RuleIndex, res.RuleID)
			}
			if res.Message == nil || res.Message.Text == "" {
				add("result %d: message.text is required", i)
			}
			if n := len(res.Locations); n < 1 || n > 10 {
				add("result %d: %d locations; code scanning needs one (at most 10)", i, n)
			}
			if len(res.RelatedLocations) > 1000 {
				add("result %d: over 1,000 related locations", i)
			}
			for _, loc := range append(slices.Clone(res.Locations), res.RelatedLocations...) {
				pl := loc.PhysicalLocation
				if pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == "" {
					add("result %d: a location without physicalLocation.artifactLocation.uri", i)
					continue
				}
				if u := pl.ArtifactLocation.URI; strings.HasPrefix(u, "/") || strings.HasPrefix(u, "..") {
					add("result %d: artifact URI %q is not relative to the repository root", i, u)
				}
				if pl.Region == nil || pl.Region.StartLine < 1 {
					add("result %d: region.startLine is required", i)
				}
			}
		}
	}
	return p
}
