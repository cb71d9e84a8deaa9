package clientshutdown

import (
	"regexp"
	"strings"

	"github.com/churnlint/churnlint/analyzers/internal/release"
	"github.com/churnlint/churnlint/analyzers/knowledge"
	"github.com/churnlint/churnlint/analyzers/lifetime"
)

// camelWord matches one word of a camelCase or snake_case name.
var camelWord = regexp.MustCompile(`[A-Z]?[a-z0-9]+|[A-Z]+(?:[^a-z]|$)`)

// isReload reports whether a method name says it reloads: one of its
// words starts with reload, refresh, ... ("ensureConnected" does not).
func isReload(name string) bool {
	for _, w := range camelWord.FindAllString(name, -1) {
		w = strings.ToLower(w)
		for _, r := range knowledge.ReloadWords {
			if strings.HasPrefix(w, r) {
				return true
			}
		}
	}
	return false
}

// replaced reports a reload-like method that stores a new pool in a field
// of its receiver without releasing the one it replaces.
func (c *checker) replaced(f *lifetime.Func, s *lifetime.Site) {
	field := s.Fate.KeptField
	if field == nil || !release.Kept(c.res, c.pass, s) || lifetime.RecvNamed(f.SSA.Signature) == nil {
		return
	}
	if !isReload(f.SSA.Name()) || c.res.ReleasesField(f.SSA, field) {
		return
	}
	c.reportReplaced(f, s, field)
}

// partialRelease reports a pool that is released on some paths and
// dropped on another.
func (c *checker) partialRelease(f *lifetime.Func, s *lifetime.Site) {
	if !s.Fate.Dropped() || !s.Fate.Released() || !c.res.Reports(c.pass.Fset, s.Instr.Pos()) {
		return
	}
	if ret := s.UnreleasedPath(); ret != nil {
		c.reportPartial(f, s, ret)
	}
}
