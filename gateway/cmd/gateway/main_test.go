package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionAndValidate(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-version"}, &out, &errOut); code != 0 || strings.TrimSpace(out.String()) == "" {
		t.Fatalf("-version: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"-config", "../../examples/gateway.yaml", "-validate"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "configuration is valid") {
		t.Fatalf("-validate: %d %q %q", code, out.String(), errOut.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("auth: {disabled: true}\nupstreams: [{name: a, url: 'ftp://x'}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := run([]string{"-config", bad, "-validate"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "upstreams[0].url") {
		t.Fatalf("bad config: %d %q", code, errOut.String())
	}
}
