// Package namefilter matches tool, prompt and resource names against glob
// patterns and combines them into allow/deny filters.
//
// Patterns use '*' for any run of characters (including '/' and ':', so that
// resource URIs can be matched) and '?' for exactly one character. Everything
// else matches literally.
package namefilter

import "fmt"

// Glob is a compiled glob pattern.
type Glob struct {
	pattern string
}

// Compile validates pattern and returns the compiled glob.
func Compile(pattern string) (Glob, error) {
	if pattern == "" {
		return Glob{}, fmt.Errorf("empty pattern")
	}
	return Glob{pattern: pattern}, nil
}

// String returns the source pattern.
func (g Glob) String() string { return g.pattern }

// Match reports whether name matches the whole pattern.
func (g Glob) Match(name string) bool {
	return match(g.pattern, name)
}

// match is an iterative wildcard matcher with single-star backtracking: it
// runs in O(len(p)*len(s)) worst case, so hostile names cannot make it blow up.
func match(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]) && p[pi] != '*':
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// Set is a list of globs; it matches a name when any glob does.
type Set []Glob

// CompileSet compiles every pattern, failing on the first invalid one.
func CompileSet(patterns []string) (Set, error) {
	set := make(Set, 0, len(patterns))
	for i, p := range patterns {
		g, err := Compile(p)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		set = append(set, g)
	}
	return set, nil
}

// MustCompileSet is CompileSet for patterns already validated by config.
func MustCompileSet(patterns []string) Set {
	set, err := CompileSet(patterns)
	if err != nil {
		panic(err)
	}
	return set
}

// Match reports whether any glob matches name.
func (s Set) Match(name string) bool {
	for _, g := range s {
		if g.Match(name) {
			return true
		}
	}
	return false
}

// Filter admits a name when it matches Allow (or Allow is empty) and does not
// match Deny. Deny always wins.
type Filter struct {
	Allow Set
	Deny  Set
}

// NewFilter compiles an allow/deny pair.
func NewFilter(allow, deny []string) (Filter, error) {
	a, err := CompileSet(allow)
	if err != nil {
		return Filter{}, fmt.Errorf("allow%w", err)
	}
	d, err := CompileSet(deny)
	if err != nil {
		return Filter{}, fmt.Errorf("deny%w", err)
	}
	return Filter{Allow: a, Deny: d}, nil
}

// Admits reports whether name passes the filter.
func (f Filter) Admits(name string) bool {
	if f.Deny.Match(name) {
		return false
	}
	return len(f.Allow) == 0 || f.Allow.Match(name)
}
