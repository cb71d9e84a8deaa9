package main_test

import (
	"strings"
	"testing"
)

// wantChurnygateway are the findings on testdata/churnygateway, the churny
// fixture the load harness (gateway/loadtest) compares with its fixed copy.
var wantChurnygateway = []string{
	"gateway.go: Forwarder.CallTool creates a new HTTP transport per call and drops it",
	"plugins.go: Moderation keeps an HTTP transport in Moderation.client",
	"plugins.go: Audit keeps an HTTP transport in Audit.client",
}

// TestFixChurnyGateway is the fixer end to end on the load harness's
// fixture: churnlint finds the forwarder's per-call transport and the two
// plugins that never release theirs; -fix hoists the factory's transport
// and gives each plugin a Shutdown; the fixed module builds, vets, is
// gofmt-clean and passes its own tests; churnlint is then quiet, and fixing
// again changes nothing. The load harness runs the copy this proves -fix
// makes (see gateway/LOADTEST.md), and checks only its behaviour under load.
func TestFixChurnyGateway(t *testing.T) {
	dir := copyModule(t, "churnygateway")
	out, code := run(t, dir, churnlint, "./...")
	got := findings(out)
	if code != 3 || len(got) != len(wantChurnygateway) {
		t.Fatalf("churnlint ./... on the fixture: exit %d, %d findings; want exit 3 and %d findings:\n%s", code, len(got), len(wantChurnygateway), out)
	}
	for _, w := range wantChurnygateway {
		file, what, _ := strings.Cut(w, ": ")
		found := false
		for _, g := range got {
			found = found || (strings.HasPrefix(g, file+":") && strings.Contains(g, what))
		}
		if !found {
			t.Errorf("no finding in %s with %q:\n%s", file, what, out)
		}
	}

	before := snapshot(t, dir)
	fix := func() {
		t.Helper()
		if out, code := run(t, dir, churnlint, "-fix", "./..."); code != 0 {
			t.Fatalf("churnlint -fix: exit %d, want 0 (every finding fixed)\n%s", code, out)
		}
	}
	fix()
	after := snapshot(t, dir)
	for _, file := range []string{"gateway/gateway.go", "plugins/plugins.go"} {
		path := dir + "/" + file
		if before[path] == after[path] {
			t.Errorf("-fix did not change %s", file)
		}
	}

	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "-count=1", "./..."}} {
		if out, code := run(t, dir, "go", args...); code != 0 {
			t.Errorf("after -fix, go %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	if out, _ := run(t, dir, "gofmt", "-l", "."); strings.TrimSpace(out) != "" {
		t.Errorf("after -fix, gofmt would change:\n%s", out)
	}
	if out, code := run(t, dir, churnlint, "./..."); code != 0 || len(findings(out)) != 0 {
		t.Errorf("churnlint ./... after -fix: exit %d, want 0 and no findings:\n%s", code, out)
	}
	fix()
	checkUnchanged(t, dir, after, "fixing again")
}
