package main

import (
	"bytes"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// vetOutput is what go vet -vettool=churnlint -json prints for two packages:
// one analysed twice (alone and with its tests), one whose analysis failed.
const vetOutput = `{}
{
	"example.com/app/proxy": {
		"clientchurn": [
			{
				"category": "clientchurn",
				"posn": "/src/app/proxy/proxy.go:16:7",
				"end": "/src/app/proxy/proxy.go:16:42",
				"message": "Proxy.ServeHTTP creates a new HTTP transport per call\tand drops it"
			}
		]
	}
}
{
	"example.com/app/proxy [example.com/app/proxy.test]": {
		"clientchurn": [
			{
				"posn": "/src/app/proxy/proxy.go:16:7",
				"message": "Proxy.ServeHTTP creates a new HTTP transport per call\tand drops it"
			}
		],
		"clientshutdown": [
			{
				"posn": "/src/app/proxy/proxy.go:9:2",
				"message": "Proxy keeps a pool and has no release method"
			}
		]
	}
}
{
	"example.com/app/broken": {
		"clientshutdown": {"error": "internal error: panic"}
	}
}
{
	"example.com/app/outside": {
		"clientchurn": [
			{"posn": "/elsewhere/gen.go:3:1", "message": "m"}
		]
	}
}
`

func TestParseVetJSON(t *testing.T) {
	findings, failures, err := parseVetJSON(strings.NewReader(vetOutput), "owner/app", "abc", "/src/app")
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Repo: "owner/app", Commit: "abc", Package: "example.com/app/outside", Position: "/elsewhere/gen.go:3:1", Check: "clientchurn", Message: "m"},
		{Repo: "owner/app", Commit: "abc", Package: "example.com/app/proxy", Position: "proxy/proxy.go:9:2", Check: "clientshutdown", Message: "Proxy keeps a pool and has no release method"},
		{Repo: "owner/app", Commit: "abc", Package: "example.com/app/proxy", Position: "proxy/proxy.go:16:7", Check: "clientchurn", Message: "Proxy.ServeHTTP creates a new HTTP transport per call and drops it"},
	}
	if !reflect.DeepEqual(findings, want) {
		t.Errorf("findings:\n got %+v\nwant %+v", findings, want)
	}
	wantFailures := []AnalysisError{{Package: "example.com/app/broken", Check: "clientshutdown", Err: "internal error: panic"}}
	if !reflect.DeepEqual(failures, wantFailures) {
		t.Errorf("failures: got %+v, want %+v", failures, wantFailures)
	}
}

func TestParseVetJSONRejectsGarbage(t *testing.T) {
	if _, _, err := parseVetJSON(strings.NewReader(`{"p": {"c": [1]}}`), "r", "c", "/"); err == nil {
		t.Error("a diagnostic that is a number was accepted")
	}
	if _, _, err := parseVetJSON(strings.NewReader(`vet: error`), "r", "c", "/"); err == nil {
		t.Error("text that is not JSON was accepted")
	}
}

func TestSortFindingsByLineNumber(t *testing.T) {
	findings := []Finding{
		{Repo: "r", Position: "a.go:100:2"},
		{Repo: "r", Position: "a.go:20:10"},
		{Repo: "r", Position: "a.go:20:9"},
	}
	sortFindings(findings)
	var got []string
	for _, f := range findings {
		got = append(got, f.Position)
	}
	if want := []string{"a.go:20:9", "a.go:20:10", "a.go:100:2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWriteFindings(t *testing.T) {
	var buf bytes.Buffer
	err := writeFindings(&buf, []Finding{{Repo: "o/r", Commit: "c1", Package: "p", Position: "f.go:1:2", Check: "clientchurn", Message: "m"}})
	if err != nil {
		t.Fatal(err)
	}
	want := findingsHeader + "\no/r\tc1\tp\tf.go:1:2\tclientchurn\tm\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

const labelsText = `# repo	commit	position	check	verdict	reason
o/app	c1	proxy/proxy.go:16	clientchurn	TP	a transport per request

o/app	c1	proxy/proxy.go:9	clientshutdown	FP	the host never tears down
o/app	c1	old/old.go:5	clientchurn	FP-fixed	fixed [fixture]
o/app	c1	gone/gone.go:7	clientchurn	TP	no longer reported
o/app	c0	moved/moved.go:7	clientchurn	TP	labelled at another commit
o/lib	c9	lib.go:1	clientchurn	TP	in a repo not analysed
`

func TestParseLabels(t *testing.T) {
	labels, err := parseLabels(strings.NewReader(labelsText))
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) != 6 {
		t.Fatalf("got %d labels, want 6", len(labels))
	}
	want := Label{Repo: "o/app", Commit: "c1", Position: "proxy/proxy.go:9", Check: "clientshutdown", Verdict: "FP", Reason: "the host never tears down", Line: 4}
	if labels[1] != want {
		t.Errorf("got %+v, want %+v", labels[1], want)
	}
}

func TestParseLabelsErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"o/app\tc1\tf.go:1\tclientchurn\n", "got 4 fields"},
		{"o/app\tc1\tf.go:1\tclientchurn\tmaybe\twhy\n", `verdict "maybe"`},
		{"o/app\tc1\tf.go:1:3\tclientchurn\tTP\twhy\n", "not file:line"},
		{"o/app\tc1\tf.go\tclientchurn\tTP\twhy\n", "not file:line"},
		{"o/app\tc1\tf.go:1\tclientchurn\tTP\ta\no/app\tc2\tf.go:1\tclientchurn\tFP\tb\n", "line 2: o/app f.go:1 clientchurn is already labelled on line 1"},
	} {
		_, err := parseLabels(strings.NewReader(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseLabels(%q) = %v, want an error containing %q", tc.text, err, tc.want)
		}
	}
}

func TestJudgeAndSummarise(t *testing.T) {
	labels, err := parseLabels(strings.NewReader(labelsText))
	if err != nil {
		t.Fatal(err)
	}
	findings := []Finding{
		{Repo: "o/app", Commit: "c1", Position: "proxy/proxy.go:16:7", Check: "clientchurn"},
		{Repo: "o/app", Commit: "c1", Position: "proxy/proxy.go:16:30", Check: "clientchurn"}, // same line, same label
		{Repo: "o/app", Commit: "c1", Position: "proxy/proxy.go:16:7", Check: "clientshutdown"},
		{Repo: "o/app", Commit: "c1", Position: "proxy/proxy.go:9:2", Check: "clientshutdown"},
		{Repo: "o/app", Commit: "c1", Position: "old/old.go:5:1", Check: "clientchurn"},
		{Repo: "o/other", Commit: "c5", Position: "proxy/proxy.go:16:7", Check: "clientchurn"},
	}
	judged := judge(findings, labels)
	var verdicts []string
	for _, j := range judged {
		v := "-"
		if j.Label != nil {
			v = j.Label.Verdict
		}
		verdicts = append(verdicts, v)
	}
	if want := []string{"TP", "TP", "-", "FP", "FP-fixed", "-"}; !reflect.DeepEqual(verdicts, want) {
		t.Errorf("verdicts: got %v, want %v", verdicts, want)
	}

	summaries := summarise(judged, labels, []string{"o/app", "o/other"}, map[string]string{"o/app": "c1", "o/other": "c5"})
	if len(summaries) != 2 {
		t.Fatalf("got %d summaries, want 2", len(summaries))
	}
	app := summaries[0]
	if app.Findings != 5 || app.True != 2 || app.False != 2 || len(app.Unlabelled) != 1 || len(app.Returned) != 1 {
		t.Errorf("o/app: got findings=%d true=%d false=%d unlabelled=%d returned=%d, want 5 2 2 1 1",
			app.Findings, app.True, app.False, len(app.Unlabelled), len(app.Returned))
	}
	if len(app.Lost) != 1 || app.Lost[0].Position != "gone/gone.go:7" {
		t.Errorf("o/app lost: got %+v, want only gone/gone.go:7 (moved.go was labelled at another commit)", app.Lost)
	}
	if p, ok := app.Precision(); !ok || p != 0.5 {
		t.Errorf("o/app precision: got %v %v, want 0.5", p, ok)
	}
	other := summaries[1]
	if other.Findings != 1 || len(other.Unlabelled) != 1 {
		t.Errorf("o/other: got %+v, want one unlabelled finding", other)
	}
	if _, ok := other.Precision(); ok {
		t.Error("o/other: a precision with nothing labelled")
	}

	var out bytes.Buffer
	printSummary(&out, summaries)
	for _, want := range []string{
		"o/app                         5     2     2          1     50.0%",
		"o/other                       1     0     0          1         -",
		"total                         6     2     2          2     50.0%",
		"unlabelled: o/app\tc1\tproxy/proxy.go:16\tclientshutdown\t",
		"fixed false positive is back: o/app old/old.go:5 clientchurn (labels line 5)",
		"true positive no longer reported: o/app gone/gone.go:7 clientchurn (labels line 6)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRepoName(t *testing.T) {
	for url, want := range map[string]string{
		"https://github.com/istio/istio.git":     "istio/istio",
		"https://github.com/istio/istio":         "istio/istio",
		"git@github.com:traefik/traefik.git":     "traefik/traefik",
		"/work/.mirror/hashicorp+nomad/repo":     "hashicorp/nomad",
		"/work/.mirror/caddyserver+caddy/repo/":  "caddyserver/caddy",
		"file:///work/.mirror/istio+istio/repo/": "istio/istio",
	} {
		got, err := repoName(url)
		if err != nil || got != want {
			t.Errorf("repoName(%q) = %q, %v; want %q", url, got, err, want)
		}
	}
	if got, err := repoName("/tmp/checkout"); err == nil {
		t.Errorf("repoName(/tmp/checkout) = %q, want an error", got)
	}
}

func TestVetErrors(t *testing.T) {
	stderr := "# example.com/app/broken\ngo: downloading example.com/dep v1.0.0\nvet: broken/b.go:3:9: undefined: x\n\n"
	if got, want := vetErrors(stderr), []string{"vet: broken/b.go:3:9: undefined: x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestLabelsFile checks the repository's labels: they parse, and each fixed
// false positive names, in brackets, a fixture that exists and holds the
// function it names ("[churn/unused.go dialFrom]").
func TestLabelsFile(t *testing.T) {
	f, err := os.Open("../../testdata/realworld/labels.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	labels, err := parseLabels(f)
	if err != nil {
		t.Fatal(err)
	}
	fixtures, _ := filepath.Glob("../../analyzers/*/testdata/src")
	for _, l := range labels {
		if l.Verdict != fixedFalsePositive {
			continue
		}
		open, close := strings.LastIndex(l.Reason, "["), strings.LastIndex(l.Reason, "]")
		if open < 0 || close < open {
			t.Errorf("labels line %d: a fixed false positive without its [fixture]", l.Line)
			continue
		}
		words := strings.Fields(strings.NewReplacer(",", " ").Replace(l.Reason[open+1 : close]))
		var src []byte
		for _, dir := range fixtures {
			if b, err := os.ReadFile(filepath.Join(dir, words[0])); err == nil {
				src = b
				break
			}
		}
		if src == nil {
			t.Errorf("labels line %d: fixture %s is in no analyzer's testdata", l.Line, words[0])
			continue
		}
		if len(words) > 1 && token.IsIdentifier(words[1]) && !bytes.Contains(src, []byte(words[1])) {
			t.Errorf("labels line %d: fixture %s has no %s", l.Line, words[0], words[1])
		}
	}
}
