package main_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var (
	cachedBinOnce sync.Once
	cachedBin     string
	cachedBinErr  error
)

// cacheBinary is the churnlint the cache tests run: under go test -race,
// one built with -race, since the binary analyses packages on every core
// and they share the cache (the other tests keep the plain binary: go vet
// starts the tool once per package, which the race runtime makes slow).
func cacheBinary(t *testing.T) string {
	t.Helper()
	if !raceEnabled {
		return churnlint
	}
	cachedBinOnce.Do(func() {
		cachedBin = churnlint + "-race"
		out, err := exec.Command("go", "build", "-race", "-o", cachedBin, ".").CombinedOutput()
		if err != nil {
			cachedBinErr = errors.New(err.Error() + "\n" + string(out))
		}
	})
	if cachedBinErr != nil {
		t.Fatalf("building churnlint with -race: %v", cachedBinErr)
	}
	return cachedBin
}

// runCached runs churnlint -json -cachestats with the cache in cacheDir and
// returns its standard output, the cache line it printed and its exit code.
func runCached(t *testing.T, dir, cacheDir string, args ...string) (stdout, stats string, code int) {
	t.Helper()
	cmd := exec.Command(cacheBinary(t), append([]string{"-json", "-cachestats", "-cache=" + cacheDir}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("churnlint: %v", err)
	}
	for _, line := range strings.Split(errOut.String(), "\n") {
		if strings.HasPrefix(line, "churnlint: cache: ") {
			stats = strings.TrimPrefix(line, "churnlint: cache: ")
		} else if line != "" {
			t.Errorf("churnlint stderr: %s", line)
		}
	}
	return out.String(), stats, code
}

// cold is the same run without a cache: what every cached run must match.
func cold(t *testing.T, dir string) string {
	t.Helper()
	out, stats, code := runCached(t, dir, "off", "./...")
	if code != 3 || stats != "" {
		t.Fatalf("cold run: exit %d, cache %q\n%s", code, stats, out)
	}
	return out
}

func editFile(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	after := edit(string(data))
	if after == string(data) {
		t.Fatalf("the edit of %s changed nothing", path)
	}
	if err := os.WriteFile(path, []byte(after), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A cached run reports exactly what a cold run reports: on an unchanged
// tree, after an edit that changes no fact (only the edited package is
// analysed again: its importers' keys hash its facts and exports, not its
// source), and after one that changes a fact (its importers are analysed
// again, and a finding goes away).
func TestCacheMatchesCold(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	cache := t.TempDir()

	want := cold(t, dir)
	check := func(step, wantStats string) {
		t.Helper()
		got, stats, code := runCached(t, dir, cache, "./...")
		if code != 3 {
			t.Errorf("%s: exit %d, want 3", step, code)
		}
		if got != want {
			t.Errorf("%s: the cached run differs from a cold one:\ncached:\n%s\ncold:\n%s", step, got, want)
		}
		if stats != wantStats {
			t.Errorf("%s: cache %q, want %q", step, stats, wantStats)
		}
	}
	check("first run", "0 packages from the cache, 7 analysed, "+entriesWritten(t, cache, dir))
	check("unchanged tree", "the whole run from the cache (no input changed)")

	// A comment at the end of upstream.go moves no position its facts
	// name and changes nothing it exports.
	upstream := filepath.Join(dir, "upstream", "upstream.go")
	editFile(t, upstream, func(s string) string { return s + "\n// A comment that changes no fact.\n" })
	want = cold(t, dir)
	check("edit without a fact change", "6 packages from the cache, 1 analysed, 3 entries written")

	// NewClient now uses the shared transport: no fresh pool, no fact, and
	// the handlers that call it per request have no finding any more.
	editFile(t, upstream, func(s string) string {
		return strings.Replace(s, "&http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: time.Minute}", "http.DefaultTransport", 1)
	})
	want = cold(t, dir)
	if strings.Contains(want, "Proxy.ServeHTTP") || strings.Contains(want, "Health") {
		t.Fatalf("the fact change left the findings through upstream.NewClient:\n%s", want)
	}
	got, stats, _ := runCached(t, dir, cache, "./...")
	if got != want {
		t.Errorf("after a fact change: the cached run differs from a cold one:\ncached:\n%s\ncold:\n%s", got, want)
	}
	if !strings.HasPrefix(stats, "4 packages from the cache, 3 analysed") {
		t.Errorf("after a fact change: cache %q, want upstream and its two importers analysed again", stats)
	}

	// A setting is part of the key: the cached results of the default
	// settings are not those of -clientshutdown=false.
	got, _, _ = runCached(t, dir, cache, "-clientshutdown=false", "./...")
	if strings.Contains(got, "clientshutdown") || !strings.Contains(got, "clientchurn") {
		t.Errorf("-clientshutdown=false served the default settings' results:\n%s", got)
	}
}

// entriesWritten is what a first run into an empty cache writes: one entry
// per analysed package, one export hash per package in the graph and the
// run entry. It counts the graph with go list.
func entriesWritten(t *testing.T, cache, dir string) string {
	t.Helper()
	out, code := runStdout(t, dir, "go", "list", "-deps", "-f", "{{if ne .ImportPath \"unsafe\"}}x{{end}}", "./...")
	if code != 0 {
		t.Fatalf("go list: exit %d", code)
	}
	n := 7 + strings.Count(out, "x") + 1
	return strconv.Itoa(n) + " entries written"
}

// Two processes sharing a cache directory (CI matrix jobs) neither corrupt
// it nor wait for each other: started together on an empty cache, then on
// a full one, then after an edit, each reports what a cold run reports. A
// damaged entry is a miss, not an error.
func TestCacheSharedByProcesses(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	cache := t.TempDir()
	want := cold(t, dir)

	together := func(step string) {
		t.Helper()
		var wg sync.WaitGroup
		outs := make([]string, 3)
		codes := make([]int, 3)
		for i := range outs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], _, codes[i] = runCached(t, dir, cache, "./...")
			}()
		}
		wg.Wait()
		for i, out := range outs {
			if codes[i] != 3 || out != want {
				t.Errorf("%s: process %d: exit %d, output differs from a cold run:\n%s\ncold:\n%s", step, i, codes[i], out, want)
			}
		}
	}
	together("empty cache")
	together("full cache")
	editFile(t, filepath.Join(dir, "reports", "reports.go"), func(s string) string { return s + "\nfunc unused() {}\n" })
	want = cold(t, dir)
	together("after an edit")

	// No temporary file is left behind.
	var entries int
	filepath.WalkDir(cache, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			entries++
			if strings.HasPrefix(d.Name(), ".tmp-") {
				t.Errorf("a temporary file is left: %s", path)
			}
		}
		return nil
	})
	if entries == 0 {
		t.Fatal("the cache is empty")
	}

	// Damage every entry: each is a miss, recomputed and rewritten.
	filepath.WalkDir(cache, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.WriteFile(path, []byte("not an entry"), 0o644)
		}
		return nil
	})
	got, stats, code := runCached(t, dir, cache, "./...")
	if code != 3 || got != want {
		t.Errorf("damaged cache: exit %d, output differs from a cold run:\n%s", code, got)
	}
	if !strings.HasPrefix(stats, "0 packages from the cache, 7 analysed") {
		t.Errorf("damaged cache: %q, want every package analysed again", stats)
	}
	if _, stats, _ = runCached(t, dir, cache, "./..."); stats != "the whole run from the cache (no input changed)" {
		t.Errorf("after the damaged cache was rewritten: %q", stats)
	}
}

// -cache=off writes nothing; CHURNLINT_CACHE names the directory when
// -cache is not given.
func TestCacheLocation(t *testing.T) {
	dir := copyModule(t, "churnyapp")
	envCache := filepath.Join(t.TempDir(), "from-env")
	cmd := exec.Command(churnlint, "./reports/")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "CHURNLINT_CACHE="+envCache)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "reports.go:") {
		t.Fatalf("churnlint: %v\n%s", err, out)
	}
	if entries, err := os.ReadDir(envCache); err != nil || len(entries) == 0 {
		t.Errorf("CHURNLINT_CACHE=%s: nothing written (%v)", envCache, err)
	}

	cmd = exec.Command(churnlint, "-cache=off", "./reports/")
	cmd.Dir = dir
	off := filepath.Join(t.TempDir(), "unused")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "CHURNLINT_CACHE="+off)
	cmd.CombinedOutput()
	if _, err := os.Stat(off); err == nil {
		t.Errorf("-cache=off wrote to %s", off)
	}
}
