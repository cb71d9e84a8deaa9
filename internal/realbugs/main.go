// Command realbugs measures churnlint's recall on real, fixed bugs.
//
//	go run ./internal/realbugs -churnlint BIN -bugs testdata/realworld/bugs.tsv \
//		-mirrors /work/.mirror -work DIR [-out results.tsv] [-only id,...] \
//		[-mirror owner/name=GITDIR]
//
// For each case of the corpus it checks out the pre-fix and the fix commit
// from the repository's snapshot (a bare git directory: -mirror, or
// MIRRORS/owner+name*/repo) as worktrees under WORK/<id>/, runs
// `go mod download` in the module (or, when the proxy no longer serves some
// module of the graph, `go list -deps PKGS`), then `BIN -format=json PKGS...` (the
// standalone command), and scores: the pre-fix commit flagged at an expected
// position (hit), flagged only elsewhere in an expected file (wrong-site),
// not flagged (miss) or not analysed (failed); the fix commit quiet at the
// fix site or still flagged. It prints one line per case and the totals
// (recall = hits / scored cases; fix-quiet rate), writes every verdict and
// finding to -out, and exits 1 when a commit could not be analysed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	churnlint := flag.String("churnlint", "", "the churnlint binary, run standalone")
	bugsFile := flag.String("bugs", "testdata/realworld/bugs.tsv", "the bug corpus")
	mirrors := flag.String("mirrors", "/work/.mirror", "directory holding the snapshots, one owner+name directory per repository")
	work := flag.String("work", "", "directory for the worktrees (one per case and commit; reused when present)")
	out := flag.String("out", "bugs-results.tsv", "write every verdict and finding to this file")
	only := flag.String("only", "", "comma-separated case ids to run (default: all)")
	timeout := flag.Duration("timeout", 30*time.Minute, "limit for each go mod download and each churnlint run")
	mapping := make(mirrorMap)
	flag.Var(mapping, "mirror", "snapshot of one repository, as owner/name=GITDIR (repeatable)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: realbugs -churnlint BIN -work DIR [-bugs FILE] [-mirrors DIR] [-mirror owner/name=GITDIR] [-only id,...] [-out FILE]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *churnlint == "" || *work == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	r := &runner{mirrors: *mirrors, mapping: mapping, work: *work, timeout: *timeout, stdout: os.Stdout}
	ok, err := r.run(*churnlint, *bugsFile, *out, splitList(*only))
	if err != nil {
		fmt.Fprintln(os.Stderr, "realbugs:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// mirrorMap names the snapshot of a repository explicitly.
type mirrorMap map[string]string

func (m mirrorMap) String() string { return fmt.Sprint(map[string]string(m)) }

func (m mirrorMap) Set(s string) error {
	repo, dir, ok := strings.Cut(s, "=")
	if !ok || !strings.Contains(repo, "/") || dir == "" {
		return fmt.Errorf("want owner/name=GITDIR, got %q", s)
	}
	m[repo] = dir
	return nil
}

type runner struct {
	bin     string
	mirrors string
	mapping mirrorMap
	work    string
	timeout time.Duration
	stdout  io.Writer
}

// A Result is the outcome of one case.
type Result struct {
	Case      Case
	Pre, Fix  Score
	PreAll    []Finding // every finding on the pre-fix commit
	FixAll    []Finding
	PreErr    string // why the pre-fix commit could not be analysed
	FixErr    string
	Durations [2]time.Duration
}

func (r *runner) run(churnlint, bugsFile, out string, only []string) (bool, error) {
	bin, err := filepath.Abs(churnlint)
	if err != nil {
		return false, err
	}
	if _, err := os.Stat(bin); err != nil {
		return false, err
	}
	r.bin = bin
	if r.work, err = filepath.Abs(r.work); err != nil {
		return false, err
	}
	f, err := os.Open(bugsFile)
	if err != nil {
		return false, err
	}
	cases, err := parseCases(f)
	f.Close()
	if err != nil {
		return false, fmt.Errorf("%s: %v", bugsFile, err)
	}
	cases, err = selectCases(cases, only)
	if err != nil {
		return false, err
	}

	var results []Result
	var totals Totals
	ok := true
	fmt.Fprintf(r.stdout, "%-28s %-10s %-13s %s\n", "case", "pre-fix", "fix", "details")
	for _, c := range cases {
		res := r.runCase(c)
		results = append(results, res)
		totals.add(res.Pre.Verdict, res.Fix.Verdict)
		if res.Pre.Verdict == verdictFailed || res.Fix.Verdict == verdictFailed {
			ok = false
		}
		fmt.Fprintf(r.stdout, "%-28s %-10s %-13s %s\n", c.ID, res.Pre.Verdict, res.Fix.Verdict, details(res))
		// Written after every case, so that an interrupted run keeps what it
		// measured.
		var table bytes.Buffer
		writeResults(&table, results)
		if err := os.WriteFile(out, table.Bytes(), 0o644); err != nil {
			return false, err
		}
	}
	fmt.Fprintln(r.stdout, totals)
	return ok, nil
}

// selectCases keeps the cases named in only, all of them when it is empty.
func selectCases(cases []Case, only []string) ([]Case, error) {
	if len(only) == 0 {
		return cases, nil
	}
	byID := make(map[string]Case)
	for _, c := range cases {
		byID[c.ID] = c
	}
	var out []Case
	for _, id := range only {
		c, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("-only: no case %q", id)
		}
		out = append(out, c)
	}
	return out, nil
}

func details(res Result) string {
	var parts []string
	if res.PreErr != "" {
		parts = append(parts, "pre: "+firstLine(res.PreErr))
	}
	if res.FixErr != "" {
		parts = append(parts, "fix: "+firstLine(res.FixErr))
	}
	for _, f := range res.Pre.At {
		parts = append(parts, fmt.Sprintf("pre %s %s", f.Check, f.Pos))
	}
	for _, f := range res.Fix.At {
		parts = append(parts, fmt.Sprintf("fix %s %s", f.Check, f.Pos))
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d findings elsewhere", len(res.PreAll)))
	}
	parts = append(parts, fmt.Sprintf("(%s + %s)", res.Durations[0].Round(time.Second), res.Durations[1].Round(time.Second)))
	return strings.Join(parts, "; ")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func (r *runner) runCase(c Case) Result {
	res := Result{Case: c}
	gitDir, err := r.findMirror(c.Repo)
	if err != nil {
		res.PreErr, res.FixErr = err.Error(), err.Error()
		res.Pre.Verdict, res.Fix.Verdict = verdictFailed, verdictFailed
		return res
	}
	start := time.Now()
	res.PreAll, err = r.analyse(c, gitDir, "pre", c.Pre)
	res.Durations[0] = time.Since(start)
	if err != nil {
		res.PreErr = err.Error()
		res.Pre.Verdict = verdictFailed
	} else {
		res.Pre = scorePre(c, res.PreAll)
	}
	if len(c.FixSite) == 0 {
		res.Fix.Verdict = verdictNotScored
		return res
	}
	start = time.Now()
	res.FixAll, err = r.analyse(c, gitDir, "fix", c.Fix)
	res.Durations[1] = time.Since(start)
	if err != nil {
		res.FixErr = err.Error()
		res.Fix.Verdict = verdictFailed
	} else {
		res.Fix = scoreFix(c, res.FixAll)
	}
	return res
}

// findMirror finds the bare git directory of a repository's snapshot: the
// -mirror mapping, else MIRRORS/owner+name/repo, else the first
// MIRRORS/owner+name* that is (or holds, as repo/) a git directory.
func (r *runner) findMirror(repo string) (string, error) {
	if dir, ok := r.mapping[repo]; ok {
		return dir, nil
	}
	base := strings.Replace(repo, "/", "+", 1)
	matches, _ := filepath.Glob(filepath.Join(r.mirrors, base+"*"))
	sort.Strings(matches)
	for _, m := range matches {
		for _, dir := range []string{filepath.Join(m, "repo"), m} {
			if isGitDir(dir) {
				return dir, nil
			}
		}
	}
	return "", fmt.Errorf("no snapshot of %s under %s (fetch github:%s, or pass -mirror %s=GITDIR)", repo, r.mirrors, repo, repo)
}

func isGitDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "HEAD"))
	if err != nil || st.IsDir() {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "objects"))
	return err == nil
}

// analyse checks the commit out, downloads its modules and runs churnlint on
// the case's packages.
func (r *runner) analyse(c Case, gitDir, which, commit string) ([]Finding, error) {
	tree := filepath.Join(r.work, c.ID, which)
	if err := r.checkout(gitDir, tree, commit); err != nil {
		return nil, err
	}
	modDir := filepath.Join(tree, filepath.FromSlash(c.Module))
	if _, err := r.command(modDir, nil, "go", "mod", "download"); err != nil {
		// The whole module graph may name modules the proxy no longer
		// serves (tools, other platforms); what the packages import may
		// still be there.
		listArgs := []string{"list", "-deps"}
		if c.Tags != "" {
			listArgs = append(listArgs, "-tags="+c.Tags)
		}
		listArgs = append(listArgs, c.Packages...)
		if stderr, err2 := r.command(modDir, io.Discard, "go", listArgs...); err2 != nil {
			return nil, fmt.Errorf("go mod download: %v; go list -deps: %v: %s", err, err2, firstLines(stderr, 3))
		}
	}
	args := []string{"-format=json"}
	if c.Tags != "" {
		args = append(args, "-tags="+c.Tags)
	}
	args = append(args, c.Packages...)
	var stdout bytes.Buffer
	stderr, err := r.command(modDir, &stdout, r.bin, args...)
	if err != nil {
		// Exit 3 is "findings"; anything else is a failure.
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			return nil, fmt.Errorf("churnlint %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr))
		}
	}
	return parseJSON(&stdout, modDir, tree)
}

// checkout makes tree a worktree of gitDir at commit, reusing it when it is
// already there.
func (r *runner) checkout(gitDir, tree, commit string) error {
	if head, err := gitOutput(tree, "rev-parse", "HEAD"); err == nil && head == commit {
		return nil
	}
	if _, err := os.Stat(tree); err == nil {
		return fmt.Errorf("%s exists but is not a checkout of %.12s: remove it", tree, commit)
	}
	if err := os.MkdirAll(filepath.Dir(tree), 0o755); err != nil {
		return err
	}
	cmd := exec.Command("git", "--git-dir="+gitDir, "worktree", "add", "--detach", "--force", tree, commit)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	if !strings.Contains(string(out), "unable to read sha1 file") {
		return fmt.Errorf("git worktree add %s %.12s: %v: %s", tree, commit, err, strings.TrimSpace(string(out)))
	}
	// A snapshot can lack its largest blobs (../shared/README.md): check
	// out everything else and mark those paths skip-worktree.
	os.RemoveAll(tree)
	if out, err := exec.Command("git", "--git-dir="+gitDir, "worktree", "prune").CombinedOutput(); err != nil {
		return fmt.Errorf("git worktree prune: %v: %s", err, out)
	}
	return checkoutPresent(gitDir, tree, commit)
}

// checkoutPresent makes tree a worktree of gitDir at commit holding every
// file whose blob the snapshot has; the others are marked skip-worktree
// in its index, so that git status stays clean. (A sparse checkout would
// need the snapshot's config to enable per-worktree settings, which a
// fetched snapshot's minimal config does not.)
func checkoutPresent(gitDir, tree, commit string) error {
	git := func(dir string, stdin io.Reader, args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Stdin = dir, stdin
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return string(out), nil
	}
	listing, err := git("", nil, "--git-dir="+gitDir, "ls-tree", "-r", "-z", commit)
	if err != nil {
		return err
	}
	type entry struct{ sha, path string }
	var blobs []entry
	var shas strings.Builder
	for _, line := range strings.Split(listing, "\x00") {
		meta, path, ok := strings.Cut(line, "\t")
		if f := strings.Fields(meta); ok && len(f) == 3 && f[1] == "blob" {
			blobs = append(blobs, entry{f[2], path})
			shas.WriteString(f[2] + "\n")
		}
	}
	checked, err := git("", strings.NewReader(shas.String()), "--git-dir="+gitDir, "cat-file", "--batch-check")
	if err != nil {
		return err
	}
	missing := map[string]bool{}
	for _, line := range strings.Split(checked, "\n") {
		if sha, rest, _ := strings.Cut(line, " "); rest == "missing" {
			missing[sha] = true
		}
	}
	var absent strings.Builder
	for _, b := range blobs {
		if missing[b.sha] {
			absent.WriteString(b.path + "\x00")
		}
	}
	if _, err := git("", nil, "--git-dir="+gitDir, "worktree", "add", "--no-checkout", "--detach", "--force", tree, commit); err != nil {
		return err
	}
	if _, err := git(tree, nil, "read-tree", "HEAD"); err != nil {
		return err
	}
	if _, err := git(tree, strings.NewReader(absent.String()), "update-index", "--skip-worktree", "-z", "--stdin"); err != nil {
		return err
	}
	_, err = git(tree, nil, "checkout-index", "-a")
	return err
}

func gitOutput(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	return strings.TrimSpace(string(out)), err
}

// command runs name in dir with the module settings every case needs: the
// local toolchain only, no workspace, go.mod updated as needed (old
// checkouts often lack go.sum lines). It returns stderr.
func (r *runner) command(dir string, stdout io.Writer, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%v (timeout %s)", err, r.timeout)
	}
	if err != nil && stdout == nil {
		return stderr.String(), fmt.Errorf("%v: %s", err, firstLines(stderr.String(), 5))
	}
	return stderr.String(), err
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, " | ")
}

const resultsHeader = "# id\trepo\tcommit\tside\tverdict\tcheck\tposition\trelated\tmessage"

// writeResults writes one line per verdict (side pre or fix, with the
// findings that decided it) and one per other finding (verdict "other").
func writeResults(w io.Writer, results []Result) {
	fmt.Fprintln(w, resultsHeader)
	for _, res := range results {
		c := res.Case
		sides := []struct {
			side, commit string
			score        Score
			all          []Finding
			err          string
		}{
			{"pre", c.Pre, res.Pre, res.PreAll, res.PreErr},
			{"fix", c.Fix, res.Fix, res.FixAll, res.FixErr},
		}
		for _, s := range sides {
			if len(s.score.At) == 0 {
				msg := s.err
				if msg == "" {
					msg = fmt.Sprintf("%d findings", len(s.all))
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t-\t-\t-\t%s\n", c.ID, c.Repo, s.commit, s.side, s.score.Verdict, oneLine(msg))
			}
			decided := make(map[Finding]bool)
			for _, f := range s.score.At {
				decided[f] = true
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Repo, s.commit, s.side, s.score.Verdict, f.Check, f.Pos, orDash(f.Related), oneLine(f.Message))
			}
			for _, f := range s.all {
				if !decided[f] {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\tother\t%s\t%s\t%s\t%s\n", c.ID, c.Repo, s.commit, s.side, f.Check, f.Pos, orDash(f.Related), oneLine(f.Message))
				}
			}
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\t' || r == '\n' || r == '\r' }), " ")
}
