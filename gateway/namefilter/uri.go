package namefilter

import (
	"net/url"
	"path"
	"strings"
)

// NormalizeURI returns the form of a resource URI that rules are matched
// against, so that one resource cannot be named past a rule:
// percent-encoding is decoded (repeatedly, so %2573 is 's' too), the scheme
// and the authority are lower-cased (RFC 3986 makes them case-insensitive
// for every scheme), and "." and ".." path segments are resolved.
func NormalizeURI(raw string) string {
	s := raw
	for range 4 {
		d, err := url.PathUnescape(s)
		if err != nil || d == s {
			break
		}
		s = d
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return s
	}
	scheme = strings.ToLower(scheme)
	after, hierarchical := strings.CutPrefix(rest, "//")
	if !hierarchical {
		return scheme + ":" + rest
	}
	authority, p, hasPath := strings.Cut(after, "/")
	out := scheme + "://" + strings.ToLower(authority)
	if !hasPath {
		return out
	}
	p = "/" + p
	if strings.Contains(p, "/.") {
		trailing := strings.HasSuffix(p, "/")
		p = path.Clean(p)
		if trailing && p != "/" {
			p += "/"
		}
	}
	return out + p
}

// MatchURI reports whether the set matches resource URI uri as a deny
// rule must: any glob matching the raw text or the normalised URI, case
// folded. Whether an upstream compares paths case-sensitively is its own
// business; a deny that a change of case dodges protects nothing.
func (s Set) MatchURI(uri string) bool {
	if s.Match(uri) {
		return true
	}
	folded := strings.ToLower(NormalizeURI(uri))
	for _, g := range s {
		if match(strings.ToLower(g.pattern), folded) {
			return true
		}
	}
	return false
}

// AllowsURI reports whether the set admits resource URI uri as an allow
// rule must: the normalised URI matches a glob exactly, so an encoded or
// dotted name cannot stand in for one the rule never meant.
func (s Set) AllowsURI(uri string) bool {
	return s.Match(NormalizeURI(uri))
}

// AdmitsURI is Admits for resource URIs.
func (f Filter) AdmitsURI(uri string) bool {
	if f.Deny.MatchURI(uri) {
		return false
	}
	return len(f.Allow) == 0 || f.Allow.AllowsURI(uri)
}
