package main_test

import (
	"strings"
	"testing"
)

// wantCrosspkg are the findings that need per-call work followed through
// an interface into an imported package, back from a package that
// imports the caller's, and a library operation.
var wantCrosspkg = []string{
	"api.go:21: Handler.ServeHTTP creates a new HTTP transport per call and drops it" +
		" && | the pool comes from Handler.ServeHTTP -> ClientMaker.NewClient (clients.Dialer.NewClient)",
	"ops.go:12: Getter.Get creates a new HTTP transport per call and drops it",
	// store's handler drops what a plugin importing store returns: the
	// dropped call travels as a fact to the plugin.
	"plugin.go:26: remote.Open makes a new HTTP transport per call that Handler.ServeHTTP drops" +
		" && | store.Handler.ServeHTTP drops what Backend.Open returns",
}

// TestDriversAgreeAcrossPackages runs the standalone command and go vet
// on a module whose findings cross packages through interfaces: both must
// report the same findings, with the same messages.
func TestDriversAgreeAcrossPackages(t *testing.T) {
	dir := copyModule(t, "crosspkg")
	standalone, code := run(t, dir, churnlint, "./...")
	if code != 3 {
		t.Fatalf("churnlint exit %d, want 3\n%s", code, standalone)
	}
	checkFindings(t, standalone, wantCrosspkg)
	vet, code := run(t, dir, "go", "vet", "-vettool="+churnlint, "./...")
	if code != 1 {
		t.Fatalf("go vet exit %d, want 1\n%s", code, vet)
	}
	// findings drops the check's name the command puts after the message.
	got, want := findings(vet), findings(standalone)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("go vet and the command disagree:\ngo vet:\n%s\ncommand:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
