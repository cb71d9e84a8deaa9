// Command realworld measures churnlint's precision on real repositories.
//
//	go run ./internal/realworld -churnlint BIN -labels testdata/realworld/labels.tsv \
//		-out findings.tsv [-tags owner/name=tag,tag] DIR...
//
// For each checkout DIR it runs `go vet -vettool=BIN -json ./...` (the way
// churnlint runs in CI), takes the repository name and commit from git,
// writes every finding to the -out table (repo, commit, package, position
// relative to the checkout, check, message), joins the findings with the
// labels by repo, file:line and check, and prints per repo the findings, how
// many are true and false positives, how many are unlabelled, and the
// precision. It exits 1 when a finding is unlabelled, a fixed false positive
// is back, an analysis failed, or go vet printed errors (a package that does
// not type-check), so that no new finding slips through unread.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	churnlint := flag.String("churnlint", "", "the churnlint binary to run as go vet's -vettool")
	labelsFile := flag.String("labels", "testdata/realworld/labels.tsv", "labelled findings")
	out := flag.String("out", "findings.tsv", "write the findings table to this file")
	tags := make(buildTags)
	flag.Var(tags, "tags", "build tags for one checkout, as owner/name=tags or dirname=tags (repeatable)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: realworld -churnlint BIN [-labels FILE] [-out FILE] [-tags repo=tags] DIR...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *churnlint == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ok, err := run(*churnlint, *labelsFile, *out, tags, flag.Args(), os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "realworld:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// buildTags maps a repository (owner/name, or the checkout's directory name)
// to the -tags its packages need.
type buildTags map[string]string

func (t buildTags) String() string { return fmt.Sprint(map[string]string(t)) }

func (t buildTags) Set(s string) error {
	repo, list, ok := strings.Cut(s, "=")
	if !ok || repo == "" || list == "" {
		return fmt.Errorf("want repo=tags, got %q", s)
	}
	t[repo] = list
	return nil
}

// A checkout is one repository on disk at a commit.
type checkout struct {
	dir, repo, commit string
}

// run analyses each checkout and reports whether everything found is labelled
// and nothing failed.
func run(churnlint, labelsFile, out string, tags buildTags, dirs []string, stdout io.Writer) (bool, error) {
	bin, err := filepath.Abs(churnlint)
	if err != nil {
		return false, err
	}
	lf, err := os.Open(labelsFile)
	if err != nil {
		return false, err
	}
	labels, err := parseLabels(lf)
	lf.Close()
	if err != nil {
		return false, fmt.Errorf("%s: %v", labelsFile, err)
	}

	ok := true
	var all []Finding
	var repos []string
	commits := make(map[string]string)
	for _, dir := range dirs {
		co, err := inspect(dir)
		if err != nil {
			return false, err
		}
		repoTags := tags[co.repo]
		if repoTags == "" {
			repoTags = tags[filepath.Base(co.dir)]
		}
		start := time.Now()
		findings, failures, noise, err := vet(bin, co, repoTags)
		if err != nil {
			return false, fmt.Errorf("%s: %v", co.dir, err)
		}
		fmt.Fprintf(stdout, "%s@%.12s: %d findings in %s\n", co.repo, co.commit, len(findings), time.Since(start).Round(time.Second))
		for _, f := range failures {
			fmt.Fprintf(stdout, "analysis failed: %s: %s: %s\n", f.Package, f.Check, f.Err)
			ok = false
		}
		if len(noise) > 0 {
			ok = false
			fmt.Fprintf(stdout, "go vet printed %d lines of errors; the first:\n", len(noise))
			for _, line := range noise[:min(len(noise), 20)] {
				fmt.Fprintf(stdout, "\t%s\n", line)
			}
		}
		if _, dup := commits[co.repo]; dup {
			return false, fmt.Errorf("%s is given twice", co.repo)
		}
		commits[co.repo] = co.commit
		repos = append(repos, co.repo)
		all = append(all, findings...)
	}

	sortFindings(all)
	var table bytes.Buffer
	if err := writeFindings(&table, all); err != nil {
		return false, err
	}
	if err := os.WriteFile(out, table.Bytes(), 0o644); err != nil {
		return false, err
	}

	summaries := summarise(judge(all, labels), labels, repos, commits)
	printSummary(stdout, summaries)
	for _, s := range summaries {
		if len(s.Unlabelled) > 0 || len(s.Returned) > 0 {
			ok = false
		}
	}
	return ok, nil
}

// inspect finds the repository name, commit and root of the checkout in dir.
func inspect(dir string) (checkout, error) {
	root, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return checkout{}, err
	}
	commit, err := git(dir, "rev-parse", "HEAD")
	if err != nil {
		return checkout{}, err
	}
	origin, err := git(dir, "remote", "get-url", "origin")
	if err != nil {
		return checkout{}, err
	}
	repo, err := repoName(origin)
	if err != nil {
		return checkout{}, fmt.Errorf("%s: %v", dir, err)
	}
	return checkout{dir: root, repo: repo, commit: commit}, nil
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s in %s: %v: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// repoName turns a remote URL into owner/name. It knows GitHub's HTTPS and
// SSH forms and the local mirrors the dev corpus is cloned from
// (…/owner+name/repo).
func repoName(url string) (string, error) {
	u := strings.TrimSuffix(strings.TrimSuffix(url, "/"), ".git")
	parts := strings.FieldsFunc(u, func(r rune) bool { return r == '/' || r == ':' })
	for i := len(parts) - 1; i >= 0; i-- {
		if owner, name, ok := strings.Cut(parts[i], "+"); ok && owner != "" && name != "" {
			return owner + "/" + name, nil
		}
	}
	if len(parts) >= 3 && strings.Contains(parts[len(parts)-3], ".") {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1], nil
	}
	return "", fmt.Errorf("cannot tell owner/name from remote %q", url)
}

// vet runs churnlint as go vet's tool over the whole checkout. Its JSON goes
// to stdout; anything go vet prints on stderr other than a package header is
// an error (a package that does not build or type-check).
func vet(bin string, co checkout, tags string) ([]Finding, []AnalysisError, []string, error) {
	args := []string{"vet", "-vettool=" + bin, "-json"}
	if tags != "" {
		args = append(args, "-tags="+tags)
	}
	args = append(args, "./...")
	cmd := exec.Command("go", args...)
	cmd.Dir = co.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	findings, failures, err := parseVetJSON(&stdout, co.repo, co.commit, co.dir)
	if err != nil {
		return nil, nil, nil, err
	}
	noise := vetErrors(stderr.String())
	if runErr != nil && len(noise) == 0 && len(failures) == 0 {
		return nil, nil, nil, fmt.Errorf("go %s: %v", strings.Join(args, " "), runErr)
	}
	return findings, failures, noise, nil
}

// vetErrors keeps the lines of go vet's stderr that report a problem: not the
// "# package" headers, nor the module downloads.
func vetErrors(stderr string) []string {
	var lines []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "go: downloading ") {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}
