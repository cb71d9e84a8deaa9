package namefilter

import (
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"echo", "echo", true},
		{"echo", "echo2", false},
		{"*", "", true},
		{"demo__*", "demo__add", true},
		{"demo__*", "other__add", false},
		{"*__add", "demo__add", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"file:///etc/*", "file:///etc/passwd", true},
		{"*a*b*c*", "xxaxxbxxcxx", true},
		{"*a*b*c*", "xxaxxcxxbxx", false},
	}
	for _, tc := range cases {
		g, err := Compile(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Match(tc.name); got != tc.want {
			t.Errorf("%q ~ %q = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
	if _, err := Compile(""); err == nil {
		t.Fatal("empty pattern accepted")
	}
}

// A pathological pattern must stay fast (no exponential backtracking).
func TestGlobLinear(t *testing.T) {
	g, _ := Compile(strings.Repeat("*a", 30) + "b")
	if g.Match(strings.Repeat("a", 5000)) {
		t.Fatal("unexpected match")
	}
}

func TestFilter(t *testing.T) {
	f, err := NewFilter([]string{"a*"}, []string{"ab*"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"a": true, "ax": true, "abc": false, "b": false} {
		if f.Admits(name) != want {
			t.Errorf("Admits(%q) != %v", name, want)
		}
	}
	if !(Filter{}).Admits("anything") {
		t.Fatal("empty filter must admit")
	}
}
