package main

import (
	"encoding/json"
	"go/token"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// The SARIF 2.1.0 subset churnlint writes. The types are ours rather than a
// SARIF library's because the library in reach (go-sarif) serializes its
// defaults: "index": -1, "byteOffset": -1, "rank": -1 and a dozen empty
// arrays on every result, which consumers read as values. Every field here
// is either set or absent. staticcheck and golangci-lint write their SARIF
// the same way, from a few structs.

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
	// srcRoot is the base the artifact URIs are relative to: the working
	// directory, the root of the checkout in CI, as GitHub code scanning
	// expects (CodeQL names it the same).
	srcRoot = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"` // required by code scanning, even when empty
	Invocations        []sarifInvocation           `json:"invocations,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri,omitempty"`
	Rules           []sarifRule `json:"rules,omitempty"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name,omitempty"`
	ShortDescription     *sarifText        `json:"shortDescription,omitempty"`
	FullDescription      *sarifText        `json:"fullDescription,omitempty"`
	Help                 *sarifText        `json:"help,omitempty"`
	HelpURI              string            `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifRuleConfig  `json:"defaultConfiguration,omitempty"`
	Properties           map[string]string `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

// sarifText is both a message and a multiformatMessageString.
type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        int             `json:"ruleIndex"`
	Level            string          `json:"level"`
	Message          sarifText       `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
	Fixes            []sarifFix      `json:"fixes,omitempty"`
}

type sarifLocation struct {
	ID               int                   `json:"id,omitempty"` // related locations only, from 1
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// sarifRegion is a line/column region (locations) or a byte range (fix
// replacements, which must be exact); the unused half is absent.
type sarifRegion struct {
	StartLine   int  `json:"startLine,omitempty"`
	StartColumn int  `json:"startColumn,omitempty"`
	EndLine     int  `json:"endLine,omitempty"`
	EndColumn   int  `json:"endColumn,omitempty"`
	ByteOffset  *int `json:"byteOffset,omitempty"`
	ByteLength  *int `json:"byteLength,omitempty"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent *sarifText  `json:"insertedContent,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

// artifact names a file: relative to %SRCROOT% when it is under the working
// directory, an absolute file URI otherwise (a dependency's source).
func artifact(name string) sarifArtifactLoc {
	if rel, err := filepath.Rel(workDir, name); err == nil && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
		return sarifArtifactLoc{URI: (&url.URL{Path: filepath.ToSlash(rel)}).EscapedPath(), URIBaseID: srcRoot}
	}
	return sarifArtifactLoc{URI: fileURI(name)}
}

func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

func sarifLocationOf(fset *token.FileSet, pos, end token.Pos) sarifLocation {
	p := fset.Position(pos)
	region := &sarifRegion{StartLine: p.Line, StartColumn: p.Column}
	if end.IsValid() {
		if e := fset.Position(end); e.Line > 0 {
			region.EndLine, region.EndColumn = e.Line, e.Column
		}
	}
	if p.Line <= 0 {
		region = nil // a position in a file without lines: the file itself
	}
	return sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: artifact(p.Filename), Region: region}}
}

// writeSARIF writes a SARIF 2.1.0 log: one rule per check with its
// documentation, one result per finding with its related locations and its
// suggested fixes, and the packages that failed as tool notifications.
func writeSARIF(w io.Writer, fs []finding, results []*pkgResult) error {
	driver := sarifDriver{
		Name:           "churnlint",
		Version:        version(),
		InformationURI: "https://github.com/churnlint/churnlint",
	}
	if v := version(); strings.HasPrefix(v, "v") {
		driver.SemanticVersion = strings.TrimPrefix(v, "v")
	}
	ruleIndex := make(map[string]int)
	for i, a := range checks {
		short, _, _ := strings.Cut(a.Doc, "\n")
		doc := strings.TrimSpace(a.Doc)
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   a.Name,
			Name:                 a.Name,
			ShortDescription:     &sarifText{Text: short},
			FullDescription:      &sarifText{Text: doc},
			Help:                 &sarifText{Text: doc, Markdown: doc},
			HelpURI:              a.URL,
			DefaultConfiguration: &sarifRuleConfig{Level: "warning"},
		})
		ruleIndex[a.Name] = i
	}
	run := sarifRun{
		Tool:               sarifTool{Driver: driver},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{srcRoot: {URI: fileURI(workDir) + "/"}},
		Results:            []sarifResult{},
	}
	for _, f := range fs {
		res := sarifResult{
			RuleID:    f.check,
			RuleIndex: ruleIndex[f.check],
			Level:     "warning",
			Message:   sarifText{Text: f.message},
			Locations: []sarifLocation{sarifLocationOf(f.fset, f.diag.Pos, f.diag.End)},
		}
		for i, rel := range f.diag.Related {
			loc := sarifLocationOf(f.fset, rel.Pos, rel.End)
			loc.ID = i + 1
			loc.Message = &sarifText{Text: rel.Message}
			res.RelatedLocations = append(res.RelatedLocations, loc)
		}
		for _, sf := range f.diag.SuggestedFixes {
			res.Fixes = append(res.Fixes, sarifFixOf(f.fset, sf))
		}
		run.Results = append(run.Results, res)
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, r := range results {
		for _, e := range r.Errors {
			inv.ExecutionSuccessful = false
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
				Level: "error", Message: sarifText{Text: r.Path + ": " + e},
			})
		}
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifFixOf turns a suggested fix into one artifact change per file, each
// replacement a byte range of the original file.
func sarifFixOf(fset *token.FileSet, sf analysis.SuggestedFix) sarifFix {
	fix := sarifFix{Description: sarifText{Text: sf.Message}}
	index := make(map[string]int)
	for _, e := range sf.TextEdits {
		start := fset.Position(e.Pos)
		offset, length := start.Offset, 0
		if e.End.IsValid() {
			length = fset.Position(e.End).Offset - offset
		}
		i, ok := index[start.Filename]
		if !ok {
			i = len(fix.ArtifactChanges)
			index[start.Filename] = i
			fix.ArtifactChanges = append(fix.ArtifactChanges, sarifArtifactChange{ArtifactLocation: artifact(start.Filename)})
		}
		rep := sarifReplacement{DeletedRegion: sarifRegion{ByteOffset: &offset, ByteLength: &length}}
		if len(e.NewText) > 0 {
			rep.InsertedContent = &sarifText{Text: string(e.NewText)}
		}
		fix.ArtifactChanges[i].Replacements = append(fix.ArtifactChanges[i].Replacements, rep)
	}
	return fix
}
