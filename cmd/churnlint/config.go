package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/tools/go/analysis"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// configFile is .churnlint.yml. Its keys are the flags' names, and the
// golangci-lint plugin's settings, so one vocabulary serves every mode:
//
//	checks: {clientchurn: true, clientshutdown: true}
//	constructors: [github.com/acme/httpx.NewClient:client]
//	entrypoints: [Handle, github.com/acme/web.Context]
//	lifecycle: [github.com/acme/host.Plugin]
//	release: [Teardown]
//	tests: false
//	generated: false
type configFile struct {
	Checks       map[string]bool `yaml:"checks"`
	Constructors []string        `yaml:"constructors"`
	EntryPoints  []string        `yaml:"entrypoints"`
	Lifecycle    []string        `yaml:"lifecycle"`
	Release      []string        `yaml:"release"`
	Tests        *bool           `yaml:"tests"`
	Generated    *bool           `yaml:"generated"`
}

var configNames = []string{".churnlint.yml", ".churnlint.yaml"}

// findConfig returns the config file to read: the -config flag, or the
// first of configNames at the root of the module holding the current
// directory ("" when there is none).
func findConfig(flagValue string) (string, error) {
	switch flagValue {
	case "none":
		return "", nil
	case "":
	default:
		if _, err := os.Stat(flagValue); err != nil {
			return "", fmt.Errorf("-config: %v", err)
		}
		return flagValue, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			for _, name := range configNames {
				path := filepath.Join(dir, name)
				if _, err := os.Stat(path); err == nil {
					return path, nil
				}
			}
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// readConfig decodes a config file strictly: an unknown key or a value of
// the wrong shape is an error that names its line.
func readConfig(path string) (*configFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg configFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &cfg, nil
}

// apply sets what the command line did not (set holds the flags given).
func (c *configFile) apply(s *lifetime.Config, set map[string]bool, enable map[*analysis.Analyzer]*bool) error {
	given := func(name string) bool {
		for _, a := range checks {
			if set[a.Name+"."+name] {
				return true
			}
		}
		return false
	}
	for name, on := range c.Checks {
		var found *analysis.Analyzer
		for a := range enable {
			if a.Name == name {
				found = a
			}
		}
		if found == nil {
			return fmt.Errorf("checks: no check named %q (have: clientchurn, clientshutdown)", name)
		}
		if !set[name] {
			*enable[found] = on
		}
	}
	lists := []struct {
		key   string
		items []string
		set   func(string) error
	}{
		{"constructors", c.Constructors, s.Constructors.Set},
		{"entrypoints", c.EntryPoints, s.EntryPoints.Set},
		{"lifecycle", c.Lifecycle, s.Lifecycle.Set},
		{"release", c.Release, s.Release.Set},
	}
	for _, l := range lists {
		if given(l.key) {
			continue
		}
		for i, item := range l.items {
			if err := l.set(item); err != nil {
				return fmt.Errorf("%s[%s]: %v", l.key, strconv.Itoa(i), err)
			}
		}
	}
	if c.Tests != nil && !given("tests") {
		s.Tests = *c.Tests
	}
	if c.Generated != nil && !given("generated") {
		s.Generated = *c.Generated
	}
	return nil
}
