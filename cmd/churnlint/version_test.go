package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -V prints the module version the binary was built as: from the build
// info of a build that requires churnlint v1.2.3 (as go install ...@v1.2.3
// and a go.mod tool directive both record it), and from -ldflags -X for a
// build from a checkout.
func TestVersionFromBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds churnlint twice")
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()

	// A module that requires churnlint v1.2.3, served from this checkout.
	wrapper := filepath.Join(tmp, "wrapper")
	if err := os.MkdirAll(wrapper, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/wrapper\n\ngo 1.26.0\n\n" +
		"require github.com/churnlint/churnlint v1.2.3\n\n" +
		"replace github.com/churnlint/churnlint => " + repo + "\n\n" +
		"tool github.com/churnlint/churnlint/cmd/churnlint\n"
	if err := os.WriteFile(filepath.Join(wrapper, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if sum, err := os.ReadFile(filepath.Join(repo, "go.sum")); err == nil {
		os.WriteFile(filepath.Join(wrapper, "go.sum"), sum, 0o644)
	}
	bin := filepath.Join(tmp, "churnlint-v1.2.3")
	if out, code := run(t, wrapper, "go", "build", "-o", bin, "github.com/churnlint/churnlint/cmd/churnlint"); code != 0 {
		t.Fatalf("building churnlint as v1.2.3: exit %d\n%s", code, out)
	}
	if out, code := run(t, tmp, bin, "-V"); code != 0 || out != "churnlint v1.2.3\n" {
		t.Errorf("-V of a v1.2.3 build: exit %d, %q; want \"churnlint v1.2.3\"", code, out)
	}

	// A build from the checkout, stamped by the linker.
	bin = filepath.Join(tmp, "churnlint-ldflags")
	if out, code := run(t, repo, "go", "build", "-o", bin, "-ldflags=-X main.buildVersion=v9.8.7", "./cmd/churnlint"); code != 0 {
		t.Fatalf("building with -ldflags: exit %d\n%s", code, out)
	}
	if out, code := run(t, tmp, bin, "-V"); code != 0 || out != "churnlint v9.8.7\n" {
		t.Errorf("-V of a -ldflags build: exit %d, %q; want \"churnlint v9.8.7\"", code, out)
	}
	// The SARIF log carries the same version.
	dir := copyModule(t, "churnyapp")
	out, _ := runStdout(t, dir, bin, "-format=sarif", "./reports/")
	if !strings.Contains(out, `"version": "v9.8.7"`) || !strings.Contains(out, `"semanticVersion": "9.8.7"`) {
		t.Errorf("the SARIF tool version is not the build's:\n%.600s", out)
	}

	// go vet still gets the unitchecker's -V=full answer it keys its cache on.
	if out, code := run(t, tmp, bin, "-V=full"); code != 0 || !strings.Contains(out, "buildID=") {
		t.Errorf("-V=full: exit %d, %q; want the vet tool's full version", code, out)
	}
}
