package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"gopkg.in/yaml.v3"

	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// configFile is .churnlint.yml. Its keys are "checks" and the settings
// (lifetime.Settings: the flags' names, and the golangci-lint plugin's
// keys), so one vocabulary serves every mode:
//
//	checks: {clientchurn: true, clientshutdown: true}
//	constructors: [github.com/acme/httpx.NewClient:client]
//	entrypoints: [Handle, github.com/acme/web.Context]
//	lifecycle: [github.com/acme/host.Plugin]
//	release: [Teardown]
//	tests: false
//	generated: false
type configFile struct {
	checks   map[string]bool
	settings []configSetting // in the file's order
}

// configSetting is one setting as the file gives it.
type configSetting struct {
	setting lifetime.Setting
	items   []string // a list setting's items
	on      bool     // a boolean setting's value
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
	cfg, err := decodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return cfg, nil
}

func decodeConfig(data []byte) (*configFile, error) {
	cfg := new(configFile)
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file
		}
		return nil, err
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the file must be a mapping of settings (the keys are %s)", top.Line, configKeys())
	}
	seen := make(map[string]int)
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, value := top.Content[i], top.Content[i+1]
		if line, dup := seen[key.Value]; dup {
			return nil, fmt.Errorf("line %d: key %q already set at line %d", key.Line, key.Value, line)
		}
		seen[key.Value] = key.Line
		if key.Value == "checks" {
			if err := value.Decode(&cfg.checks); err != nil {
				return nil, err
			}
			continue
		}
		s, ok := settingNamed(key.Value)
		if !ok {
			return nil, fmt.Errorf("line %d: field %s not found (the keys are %s)", key.Line, key.Value, configKeys())
		}
		cs := configSetting{setting: s}
		var err error
		if s.IsList() {
			err = value.Decode(&cs.items)
		} else {
			err = value.Decode(&cs.on)
		}
		if err != nil {
			return nil, err
		}
		cfg.settings = append(cfg.settings, cs)
	}
	return cfg, nil
}

func settingNamed(name string) (lifetime.Setting, bool) {
	for _, s := range lifetime.Settings {
		if s.Name == name {
			return s, true
		}
	}
	return lifetime.Setting{}, false
}

func configKeys() string {
	return strings.Join(append([]string{"checks"}, lifetime.SettingNames()...), ", ")
}

// apply sets, through the settings' flags fs, what the command line did
// not (set holds the flags given, by the command's names).
func (c *configFile) apply(fs interface {
	Set(name, value string) error
}, set map[string]bool, enable map[*analysis.Analyzer]*bool) error {
	given := func(name string) bool {
		for _, a := range checks {
			if set[a.Name+"."+name] {
				return true
			}
		}
		return false
	}
	for name, on := range c.checks {
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
	for _, cs := range c.settings {
		name := cs.setting.Name
		if given(name) {
			continue
		}
		if !cs.setting.IsList() {
			if err := fs.Set(name, strconv.FormatBool(cs.on)); err != nil {
				return fmt.Errorf("%s: %v", name, err)
			}
			continue
		}
		for i, item := range cs.items {
			if err := fs.Set(name, item); err != nil {
				return fmt.Errorf("%s[%s]: %v", name, strconv.Itoa(i), err)
			}
		}
	}
	return nil
}
