package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// The per-package cache (cache.go) still pays for `go list -export` over
// the whole graph, which is most of a run once every package is cached
// (about 2 s on caddy). A run entry skips it: keyed by the tool, the
// settings, the patterns, the working directory and the go command's
// environment, it holds the last run's results and a stamp of every input
// `go list` would read that can change: the contents of the Go (and cgo)
// files, go.mod, go.sum and go.work of the main modules' trees and of any
// dependency outside the module cache and GOROOT (a replace with a local
// path). Module cache contents are immutable and GOROOT is named by the
// go version, so neither is stamped. When the stamp matches, the results
// are replayed without running go list; otherwise the run goes through the
// per-package cache and leaves a new run entry.

// runEntry is what a whole run leaves for the next one with the same key.
type runEntry struct {
	Trees []string // main module directories, stamped recursively
	Dirs  []string // other package directories outside the module cache
	Stamp []byte
	Roots []runRoot
}

type runRoot struct {
	ID, Path string
	Diags    []cachedDiag
}

// goEnv is the part of the go command's environment a package graph
// depends on, as the go command reports it (GOFLAGS and GOWORK included).
func goEnv() (string, map[string]string, error) {
	vars := []string{"GOVERSION", "GOROOT", "GOMODCACHE", "GOWORK", "GOMOD", "GOFLAGS", "GOOS", "GOARCH", "GOEXPERIMENT", "CGO_ENABLED", "CC", "CXX", "CGO_CFLAGS", "CGO_LDFLAGS", "GOAMD64", "GOARM64", "GOTOOLCHAIN", "GOPROXY", "GONOSUMDB", "GOPRIVATE"}
	out, err := exec.Command("go", append([]string{"env"}, vars...)...).Output()
	if err != nil {
		return "", nil, fmt.Errorf("go env: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	env := make(map[string]string)
	for i, v := range vars {
		if i < len(lines) {
			env[v] = lines[i]
		}
	}
	return string(out), env, nil
}

func (c *actionCache) runKey(patterns []string, goenv string) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "run\ntool %x\nwd %s\npatterns %q\nenv %s\n", c.toolID, workDir, patterns, goenv)
	return h.Sum(nil)
}

// stamp hashes the inputs listed in e.
func stamp(trees, dirs []string) ([]byte, error) {
	h := sha256.New()
	for _, t := range trees {
		fmt.Fprintf(h, "tree %s\n", t)
		err := filepath.WalkDir(t, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				// The directories the go command ignores.
				name := d.Name()
				if path != t && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
					return filepath.SkipDir
				}
				fmt.Fprintf(h, "dir %s\n", path)
				return nil
			}
			return stampFile(h, path, d)
		})
		if err != nil {
			return nil, err
		}
	}
	for _, dir := range dirs {
		fmt.Fprintf(h, "dir %s\n", dir)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, d := range entries {
			if !d.IsDir() {
				if err := stampFile(h, filepath.Join(dir, d.Name()), d); err != nil {
					return nil, err
				}
			}
		}
	}
	return h.Sum(nil), nil
}

// buildInputs are the file kinds go list and the compiler read.
var buildInputs = map[string]bool{".go": true, ".c": true, ".h": true, ".s": true, ".S": true, ".cc": true, ".cpp": true, ".cxx": true, ".hh": true, ".hpp": true, ".hxx": true, ".m": true, ".f": true, ".F": true, ".for": true, ".f90": true, ".syso": true, ".swig": true, ".swigcxx": true}

func stampFile(h interface{ Write([]byte) (int, error) }, path string, d fs.DirEntry) error {
	name := d.Name()
	if !buildInputs[filepath.Ext(name)] && name != "go.mod" && name != "go.sum" && name != "go.work" && name != "go.work.sum" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	fmt.Fprintf(h, "file %s %x\n", path, sum)
	return nil
}

// lookupRun returns the results of the last run with this key if none of
// its inputs changed.
func (r *leanRun) lookupRun(key []byte) []*pkgResult {
	data, err := os.ReadFile(r.cache.file(key))
	if err != nil {
		return nil
	}
	var e runEntry
	if gob.NewDecoder(bytes.NewReader(data)).Decode(&e) != nil {
		return nil
	}
	now, err := stamp(e.Trees, e.Dirs)
	if err != nil || !bytes.Equal(now, e.Stamp) {
		return nil
	}
	var results []*pkgResult
	for _, root := range e.Roots {
		u := &unit{}
		if r.replay(u, &cacheEntry{Diags: root.Diags}) != nil {
			return nil
		}
		results = append(results, &pkgResult{ID: root.ID, Path: root.Path, Fset: r.fset, Diags: u.diags})
	}
	return results
}

// storeRun leaves a run entry for a run whose every root was analysed
// without error. The stamp is taken after go list has run (it may have
// updated go.sum), over the inputs of the graph it returned.
func (r *leanRun) storeRun(key []byte, env map[string]string, roots []*packages.Package) {
	trees := make(map[string]bool)
	dirs := make(map[string]bool)
	modcache := env["GOMODCACHE"]
	goroot := env["GOROOT"]
	under := func(path, dir string) bool {
		return dir != "" && (path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)))
	}
	if gowork := env["GOWORK"]; gowork != "" && gowork != "off" {
		dirs[filepath.Dir(gowork)] = true
	}
	for _, u := range r.units {
		p := u.pkg
		if u.root && (len(u.errs) > 0 || u.partial != nil) {
			return
		}
		if m := p.Module; m != nil && m.Main && m.Dir != "" {
			trees[m.Dir] = true
			continue
		}
		var files []string
		files = append(files, p.GoFiles...)
		files = append(files, p.OtherFiles...)
		for _, f := range files {
			d := filepath.Dir(f)
			if !under(d, modcache) && !under(d, goroot) {
				dirs[d] = true
				if m := p.Module; m != nil && m.GoMod != "" {
					dirs[filepath.Dir(m.GoMod)] = true
				}
			}
		}
	}
	e := runEntry{Trees: sortedKeys(trees), Dirs: sortedKeys(dirs)}
	var err error
	if e.Stamp, err = stamp(e.Trees, e.Dirs); err != nil {
		return
	}
	for _, p := range roots {
		u := r.units[p.ID]
		e.Roots = append(e.Roots, runRoot{ID: p.ID, Path: p.PkgPath, Diags: r.entryOf(u, nil).Diags})
	}
	var buf bytes.Buffer
	if gob.NewEncoder(&buf).Encode(&e) == nil {
		_ = r.cache.writeFile(r.cache.file(key), buf.Bytes()) // best effort, like every cache write
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
