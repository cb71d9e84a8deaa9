package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The commands the READMEs and the example config tell a new user to run
// must work: every -config file they name exists, and the gateway is run
// as a built binary, since a signal sent to `go run` does not reach it.
func TestDocumentedCommands(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	configFlag := regexp.MustCompile(`-config (\S+)`)
	for _, doc := range []string{"README.md", "gateway/README.md", "gateway/examples/gateway.yaml"} {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "go run ./gateway/cmd/gateway") {
				t.Errorf("%s runs the gateway with go run: %s", doc, strings.TrimSpace(line))
			}
			for _, m := range configFlag.FindAllStringSubmatch(line, -1) {
				if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
					t.Errorf("%s names a config that does not exist: %s", doc, strings.TrimSpace(line))
				}
			}
		}
	}
}
