package config

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Stdio describes the child process of a stdio upstream. The gateway
// starts it at startup, restarts it with backoff when it exits, and kills
// its whole process group at shutdown.
type Stdio struct {
	// Command is the executable: a path, or a name looked up in PATH.
	Command string   `yaml:"command"`
	Args    []string `yaml:"args"`
	// Env is added to the gateway's own environment for the child.
	Env map[string]string `yaml:"env"`
	// Dir is the child's working directory; empty means the gateway's.
	Dir string `yaml:"dir"`
}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// EnvList returns Env as NAME=value pairs in name order, so the child's
// environment (and a reload's diff) does not depend on map order.
func (s Stdio) EnvList() []string {
	names := make([]string, 0, len(s.Env))
	for n := range s.Env {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, n+"="+s.Env[n])
	}
	return out
}

// validateStdio checks a stdio upstream: a command that can be run, a
// working directory that exists, and none of the HTTP-only keys.
func (u *Upstream) validateStdio(v *validator, p string) {
	if u.URL != "" {
		v.add(p+".url", "not used with transport stdio (set command instead)")
	}
	if len(u.Headers) > 0 {
		v.add(p+".headers", "not used with transport stdio")
	}
	if u.BearerToken != "" {
		v.add(p+".bearer_token", "not used with transport stdio")
	}
	if len(u.ForwardHeaders) > 0 {
		v.add(p+".forward_headers", "not used with transport stdio: there is no HTTP request to forward them on")
	}
	if u.TLS != nil {
		v.add(p+".tls", "not used with transport stdio")
	}
	if u.Dir != "" {
		if st, err := os.Stat(u.Dir); err != nil {
			v.add(p+".dir", "%v", err)
		} else if !st.IsDir() {
			v.add(p+".dir", "%s is not a directory", u.Dir)
		}
	}
	switch {
	case u.Command == "":
		v.add(p+".command", "required with transport stdio")
	case !strings.ContainsRune(u.Command, filepath.Separator):
		if _, err := exec.LookPath(u.Command); err != nil {
			v.add(p+".command", "%q not found in PATH", u.Command)
		}
	default:
		path := u.Command
		if !filepath.IsAbs(path) && u.Dir != "" {
			// exec resolves a relative path against the child's Dir.
			path = filepath.Join(u.Dir, path)
		}
		if st, err := os.Stat(path); err != nil {
			v.add(p+".command", "%v", err)
		} else if st.IsDir() || st.Mode()&0o111 == 0 {
			v.add(p+".command", "%s is not an executable file", path)
		}
	}
	for name := range u.Env {
		if !envNamePattern.MatchString(name) {
			v.add(p+".env."+name, "must be a variable name matching %s", envNamePattern)
		}
	}
}

// rejectStdioKeys reports stdio-only keys on an HTTP upstream.
func (u *Upstream) rejectStdioKeys(v *validator, p string) {
	for _, k := range []struct {
		key string
		set bool
	}{{"command", u.Command != ""}, {"args", len(u.Args) > 0}, {"env", len(u.Env) > 0}, {"dir", u.Dir != ""}} {
		if k.set {
			v.add(fmt.Sprintf("%s.%s", p, k.key), "only used with transport stdio")
		}
	}
}
