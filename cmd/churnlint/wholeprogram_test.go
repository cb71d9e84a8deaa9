package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantWiring are the findings only a whole-program match reaches: the
// implementation and its caller are in packages that do not import each
// other, and main wires them together (testdata/wiring).
var wantWiring = []string{
	// temporal's shape: a handler drops what a client factory returns,
	// and the client factory returns what an RPC factory dials per call.
	"rpc.go:19: Factory.FrontendClient makes a new HTTP transport per call that Admin.ServeHTTP drops" +
		" && | the pool comes from Factory.FrontendClient -> &http.Transport{}" +
		" && | frontend.Admin.ServeHTTP drops what Factory.NewRemoteAdminClient returns" +
		" && client.rpcClientFactory.NewRemoteAdminClient -> RPCFactory.FrontendClient -> rpc.Factory.FrontendClient" +
		" && Admin.ServeHTTP is an HTTP handler",
	// cluster-api-provider-microvm's shape: a function-typed field that
	// only main sets, called on every reconcile.
	"flclient.go:31: NewClient makes a new HTTP transport per call that MachineReconciler.Reconcile drops" +
		" && | controllers.MachineReconciler.Reconcile drops what MachineReconciler.MvmClientFunc returns" +
		" && MvmClientFunc -> flclient.NewClient" +
		" && runs on every reconcile",
}

// copyFixture copies a module of this command's testdata.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestWholeProgram runs the command on a module whose per-call drops are
// wired together only by main: it must report them at the creation
// site, the same on a second run that replays the cache, and nothing on
// the fixed twin (a shared client; a client released per reconcile).
func TestWholeProgram(t *testing.T) {
	dir := copyFixture(t, "wiring")
	for _, pass := range []string{"cold", "cached"} {
		out, code := run(t, dir, churnlint, "./...")
		if code != 3 {
			t.Fatalf("%s: churnlint exit %d, want 3\n%s", pass, code, out)
		}
		checkFindings(t, out, wantWiring)
	}
	// One package's run cache entry must not stand for the whole program:
	// analysing the implementation alone has no callers to match.
	out, code := run(t, dir, churnlint, "./rpc")
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("rpc alone: exit %d, output %q; want 0 and nothing", code, out)
	}

	// go vet analyses one package at a time: facts flow from a package to
	// its importers only, and the implementations do not import their
	// callers. What it does not see is documented in the README.
	vet, code := run(t, dir, "go", "vet", "-vettool="+churnlint, "./...")
	if code != 0 || len(findings(vet)) != 0 {
		t.Errorf("go vet: exit %d, findings %q; want none (modular analysis does not see main's wiring)", code, findings(vet))
	}

	fixed := copyFixture(t, "wiringfixed")
	out, code = run(t, fixed, churnlint, "./...")
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("fixed twin: exit %d, output %q; want 0 and nothing", code, out)
	}
}
