package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/types/objectpath"
)

// The standalone driver's cache, with the discipline of go vet's action
// IDs: what a package's analysis produced (its diagnostics and the facts
// its importers read) is stored under a key that hashes everything the
// analysis read: the tool (its executable and version), the settings, the
// package's source files, and for each import a summary of its export
// data, its facts and, recursively, its own imports' summaries. A package
// whose key is found is not loaded at all; its facts still feed its
// importers. Because a summary hashes what a dependency exports rather
// than its source, an edit that changes neither its export data nor its
// facts (a function body, a comment) leaves its importers' keys alone.
//
// Entries are written to a temporary file and renamed into place, so two
// processes sharing the directory (CI matrix jobs) never see a partial
// entry and never wait for each other: a reader finds the old entry, the
// new one, or none; writers of the same key write the same bytes. An
// entry that does not decode is a miss.

// cacheEnv names the environment variable that sets the cache directory
// (or "off") when -cache is not given.
const cacheEnv = "CHURNLINT_CACHE"

// cacheFormat changes whenever an entry's layout or meaning does.
const cacheFormat = "churnlint-cache-1"

// cacheDir resolves -cache and CHURNLINT_CACHE: "" means no cache.
func cacheDir(flagValue string) (string, error) {
	v := flagValue
	if v == "" {
		v = os.Getenv(cacheEnv)
	}
	switch v {
	case "off", "none":
		return "", nil
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return "", nil // no home: run without a cache
		}
		v = filepath.Join(base, "churnlint")
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		return "", fmt.Errorf("-cache=%s: %v", v, err)
	}
	if err := os.MkdirAll(abs, 0o777); err != nil {
		return "", fmt.Errorf("cache directory: %v", err)
	}
	return abs, nil
}

// actionCache is one run's view of the cache directory.
type actionCache struct {
	dir    string
	toolID []byte // the executable, the version and the settings

	exportMu sync.Mutex
	exports  map[string][]byte // export data file -> hash of its contents

	hits, misses, stored atomic.Int64
	runHit               bool // the whole run came from a run entry (runcache.go)
}

func openCache(dir string, settings string) (*actionCache, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", cacheFormat, version())
	exe, err := os.Executable()
	if err == nil {
		var f *os.File
		if f, err = os.Open(exe); err == nil {
			_, err = io.Copy(h, f)
			f.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cache: hashing the executable: %v", err)
	}
	fmt.Fprintf(h, "%s\n", settings)
	return &actionCache{dir: dir, toolID: h.Sum(nil), exports: make(map[string][]byte)}, nil
}

// settingsID spells out every setting an analysis depends on: the enabled
// checks, every analyzer flag (the config file has been applied to them),
// and the build flags.
func settingsID(enabled []*analysis.Analyzer, buildFlags []string) string {
	var b strings.Builder
	seen := make(map[*analysis.Analyzer]bool)
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		fmt.Fprintf(&b, "analyzer %s\n", a.Name)
		a.Flags.VisitAll(func(f *flag.Flag) { fmt.Fprintf(&b, "  -%s=%q\n", f.Name, f.Value.String()) })
		for _, req := range a.Requires {
			visit(req)
		}
	}
	for _, a := range enabled {
		fmt.Fprintf(&b, "enabled %s\n", a.Name)
	}
	for _, a := range enabled {
		visit(a)
	}
	fmt.Fprintf(&b, "build %q\n", buildFlags)
	return b.String()
}

// cacheEntry is what the analysis of one package leaves for later runs.
type cacheEntry struct {
	Facts   []cachedFact
	FactsID []byte // their hash (factsOf)
	Diags   []cachedDiag
}

type cachedFact struct {
	Path objectpath.Path // "" for a package fact
	Fact analysis.Fact
}

// cachedPos is a position as file and byte offset; the key covers the
// contents of the files a package's own positions point into.
type cachedPos struct {
	File   string
	Offset int
}

type cachedDiag struct {
	Check, Category, Message, URL string
	Pos, End                      cachedPos
	Related                       []cachedRelated
	Fixes                         []cachedFix
}

type cachedRelated struct {
	Pos, End cachedPos
	Message  string
}

type cachedFix struct {
	Message string
	Edits   []cachedEdit
}

type cachedEdit struct {
	Pos, End cachedPos
	NewText  []byte
}

// registerFacts lets gob encode the analyzers' fact types, as go vet's
// fact serialization does.
func registerFacts(analyzers []*analysis.Analyzer) {
	seen := make(map[*analysis.Analyzer]bool)
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		for _, f := range a.FactTypes {
			gob.Register(f)
			// gob numbers types in the order it first encodes them, for the
			// whole process: encoding each fact type once here, in a fixed
			// order, keeps a package's encoded facts (and so its importers'
			// keys) the same whichever package is encoded first.
			_ = gob.NewEncoder(io.Discard).Encode([]cachedFact{{Fact: f}})
		}
		for _, req := range a.Requires {
			visit(req)
		}
	}
	for _, a := range analyzers {
		visit(a)
	}
}

func (c *actionCache) file(key []byte) string {
	name := hex.EncodeToString(key)
	return filepath.Join(c.dir, name[:2], name+"-a")
}

// get returns the entry stored under key, or nil.
func (c *actionCache) get(key []byte) *cacheEntry {
	data, err := os.ReadFile(c.file(key))
	if err != nil {
		return nil
	}
	var e cacheEntry
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&e); err != nil {
		return nil // damaged or from another layout: recompute and overwrite
	}
	return &e
}

// put stores e under key: a temporary file in the same directory, renamed
// into place. Failing to store is not an error of the run.
func (c *actionCache) put(key []byte, e *cacheEntry) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(e); err != nil {
		return err
	}
	return c.writeFile(c.file(key), buf.Bytes())
}

func (c *actionCache) writeFile(name string, data []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	c.stored.Add(1)
	return nil
}

// exportID hashes the export data in an export file, without the archive
// header and build ID around it, which change with every edit of the
// package's source even when what it exports does not. The go command
// names export files by the hash of their contents, so the result is kept
// in the cache by file name (and size and time) and computed once per file.
func (c *actionCache) exportID(file string) ([]byte, error) {
	c.exportMu.Lock()
	id, ok := c.exports[file]
	c.exportMu.Unlock()
	if ok {
		return id, nil
	}
	// The size and time guard against an export file that is not in the
	// build cache (whose names are content hashes) and was rewritten.
	st, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	pathKey := sha256.Sum256(fmt.Appendf(nil, "export %s %d %d", file, st.Size(), st.ModTime().UnixNano()))
	memo := c.file(pathKey[:])
	if data, err := os.ReadFile(memo); err == nil && len(data) == sha256.Size {
		id = data
	} else {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		rd, err := gcexportdata.NewReader(f) //nolint:staticcheck // go list -export still writes archives (see readExport)
		if err != nil {
			return nil, fmt.Errorf("reading export data %s: %v", file, err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, rd); err != nil {
			return nil, err
		}
		id = h.Sum(nil)
		_ = c.writeFile(memo, id) // a memo not written is recomputed next time
	}
	c.exportMu.Lock()
	c.exports[file] = id
	c.exportMu.Unlock()
	return id, nil
}

var errUncacheable = errors.New("not cacheable")

// actionKey is the key of u's analysis; u's dependencies are done.
func (r *leanRun) actionKey(u *unit) ([]byte, error) {
	p := u.pkg
	h := sha256.New()
	fmt.Fprintf(h, "tool %x\nroot %v\nid %s\npath %s\n", r.cache.toolID, u.root, p.ID, p.PkgPath)
	if p.Module != nil {
		fmt.Fprintf(h, "go %s\n", p.Module.GoVersion)
	}
	fmt.Fprintf(h, "sizes %v\n", p.TypesSizes)
	for _, name := range p.CompiledGoFiles {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(h, "file %s %x\n", name, sum)
	}
	if len(p.Errors) > 0 {
		return nil, errUncacheable
	}
	for _, d := range sortedDeps(u) {
		if d.summary == nil {
			return nil, errUncacheable
		}
		fmt.Fprintf(h, "import %s %x\n", d.pkg.PkgPath, d.summary)
	}
	return h.Sum(nil), nil
}

func sortedDeps(u *unit) []*unit {
	deps := append([]*unit(nil), u.deps...)
	sort.Slice(deps, func(i, j int) bool { return deps[i].pkg.PkgPath < deps[j].pkg.PkgPath })
	return deps
}

// summarize sets what u's importers' keys hash of it: its export data, its
// facts, and its imports' summaries. It stays nil when u cannot be
// summarized (no export data, a failed dependency), which makes every
// importer uncacheable.
func (r *leanRun) summarize(u *unit) {
	if u.partial != nil || len(u.errs) > 0 {
		return
	}
	var exp []byte
	switch {
	case u.pkg.PkgPath == "unsafe":
		// No export data: the type checker provides it.
	case u.pkg.ExportFile == "":
		return
	default:
		var err error
		if exp, err = r.cache.exportID(u.pkg.ExportFile); err != nil {
			return
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "path %s\nexport %x\nfacts %x\n", u.pkg.PkgPath, exp, u.factsID)
	for _, d := range sortedDeps(u) {
		if d.summary == nil {
			return
		}
		fmt.Fprintf(h, "import %s %x\n", d.pkg.PkgPath, d.summary)
	}
	u.summary = h.Sum(nil)
}

// factsOf encodes the facts u exported, in a stable order, and their hash.
func factsOf(u *unit) ([]cachedFact, []byte, error) {
	facts := make([]cachedFact, 0, len(u.exported))
	for k, f := range u.exported {
		facts = append(facts, cachedFact{Path: k.path, Fact: f})
	}
	sort.Slice(facts, func(i, j int) bool {
		if facts[i].Path != facts[j].Path {
			return facts[i].Path < facts[j].Path
		}
		return factType(facts[i].Fact) < factType(facts[j].Fact)
	})
	if len(facts) == 0 {
		return nil, nil, nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(facts); err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return facts, sum[:], nil
}

func (r *leanRun) cachedPosOf(pos token.Pos) cachedPos {
	if !pos.IsValid() {
		return cachedPos{}
	}
	p := r.fset.Position(pos)
	return cachedPos{File: p.Filename, Offset: p.Offset}
}

// entryOf is what u's analysis leaves in the cache.
func (r *leanRun) entryOf(u *unit, facts []cachedFact) *cacheEntry {
	e := &cacheEntry{Facts: facts, FactsID: u.factsID}
	for _, d := range u.diags {
		cd := cachedDiag{
			Check: d.Check, Category: d.Category, Message: d.Message, URL: d.URL,
			Pos: r.cachedPosOf(d.Pos), End: r.cachedPosOf(d.End),
		}
		for _, rel := range d.Related {
			cd.Related = append(cd.Related, cachedRelated{Pos: r.cachedPosOf(rel.Pos), End: r.cachedPosOf(rel.End), Message: rel.Message})
		}
		for _, sf := range d.SuggestedFixes {
			cf := cachedFix{Message: sf.Message}
			for _, te := range sf.TextEdits {
				cf.Edits = append(cf.Edits, cachedEdit{Pos: r.cachedPosOf(te.Pos), End: r.cachedPosOf(te.End), NewText: te.NewText})
			}
			cd.Fixes = append(cd.Fixes, cf)
		}
		e.Diags = append(e.Diags, cd)
	}
	return e
}

// replay gives u the facts and diagnostics of a cached analysis.
func (r *leanRun) replay(u *unit, e *cacheEntry) error {
	var diags []diagnostic
	for _, cd := range e.Diags {
		d := diagnostic{Check: cd.Check}
		d.Category, d.Message, d.URL = cd.Category, cd.Message, cd.URL
		var err error
		if d.Pos, err = r.posOf(cd.Pos); err != nil {
			return err
		}
		if d.End, err = r.posOf(cd.End); err != nil {
			return err
		}
		for _, rel := range cd.Related {
			ri := analysis.RelatedInformation{Message: rel.Message}
			if ri.Pos, err = r.posOf(rel.Pos); err != nil {
				return err
			}
			if ri.End, err = r.posOf(rel.End); err != nil {
				return err
			}
			d.Related = append(d.Related, ri)
		}
		for _, cf := range cd.Fixes {
			sf := analysis.SuggestedFix{Message: cf.Message}
			for _, ce := range cf.Edits {
				te := analysis.TextEdit{NewText: ce.NewText}
				if te.Pos, err = r.posOf(ce.Pos); err != nil {
					return err
				}
				if te.End, err = r.posOf(ce.End); err != nil {
					return err
				}
				sf.TextEdits = append(sf.TextEdits, te)
			}
			d.SuggestedFixes = append(d.SuggestedFixes, sf)
		}
		diags = append(diags, d)
	}
	u.diags = diags
	u.exported = make(map[exportedKey]analysis.Fact)
	for _, f := range e.Facts {
		typ := factType(f.Fact)
		u.exported[exportedKey{f.Path, typ}] = f.Fact
		if f.Path == "" {
			r.exportFact(objectFactKey{}, packageFactKey{u.pkg.PkgPath, typ}, f.Fact)
		} else {
			r.exportFact(objectFactKey{u.pkg.PkgPath, f.Path, typ}, packageFactKey{}, f.Fact)
		}
	}
	u.hasFacts = len(e.Facts) > 0
	u.factsID = e.FactsID
	return nil
}

// posOf maps a cached position into the run's file set, adding the file
// (with its lines) the first time a replayed position names it.
func (r *leanRun) posOf(cp cachedPos) (token.Pos, error) {
	if cp.File == "" {
		return token.NoPos, nil
	}
	r.replayMu.Lock()
	defer r.replayMu.Unlock()
	tf, ok := r.replayFiles[cp.File]
	if !ok {
		data, err := os.ReadFile(cp.File)
		if err != nil {
			return token.NoPos, err
		}
		tf = r.fset.AddFile(cp.File, -1, len(data))
		tf.SetLinesForContent(data)
		r.replayFiles[cp.File] = tf
	}
	if cp.Offset > tf.Size() {
		return token.NoPos, fmt.Errorf("cached position %s:#%d is past the end of the file", cp.File, cp.Offset)
	}
	return tf.Pos(cp.Offset), nil
}
