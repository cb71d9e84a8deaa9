package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckoutWithoutSomeBlobs makes a snapshot whose largest file's blob
// is gone, as fetch can deliver one, and checks that the case still gets
// a clean worktree of everything else.
func TestCheckoutWithoutSomeBlobs(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	run := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if err := os.MkdirAll(filepath.Join(src, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	run(dir, "init", "-q", src)
	files := map[string]string{"go.mod": "module demo\n", "main.go": "package main\n", "data/big db.bin": "large\n"}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(src, "add", ".")
	run(src, "commit", "-q", "-m", "one")
	commit := run(src, "rev-parse", "HEAD")
	big := run(src, "rev-parse", "HEAD:data/big db.bin")
	gitDir := filepath.Join(src, ".git")
	if err := os.Remove(filepath.Join(gitDir, "objects", big[:2], big[2:])); err != nil {
		t.Fatal(err)
	}

	r := &runner{}
	tree := filepath.Join(dir, "work", "pre")
	if err := r.checkout(gitDir, tree, commit); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go.mod", "main.go"} {
		got, err := os.ReadFile(filepath.Join(tree, name))
		if err != nil || string(got) != files[name] {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, files[name])
		}
	}
	if _, err := os.Stat(filepath.Join(tree, "data", "big db.bin")); !os.IsNotExist(err) {
		t.Errorf("the file without a blob: stat gives %v, want not exist", err)
	}
	if st := run(tree, "status", "--porcelain"); st != "" {
		t.Errorf("git status is not clean:\n%s", st)
	}
	if head := run(tree, "rev-parse", "HEAD"); head != commit {
		t.Errorf("HEAD %s, want %s", head, commit)
	}
	// A second call finds the checkout and reuses it.
	if err := r.checkout(gitDir, tree, commit); err != nil {
		t.Errorf("reuse: %v", err)
	}
}
