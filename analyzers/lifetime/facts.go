package lifetime

import (
	"fmt"
	"strings"

	"github.com/churnlint/churnlint/analyzers/catalog"
)

// FuncFact summarises, for callers in other packages, what a function does
// with pools. It is exported only when it says something: a function without
// a fact keeps whatever pools it is given and returns none.
type FuncFact struct {
	Fresh  []Fresh     // results that are a new pool on every call
	Churn  *Churn      // every call creates a pool and drops it
	Params []ParamFlow // parameters that the function does not keep
}

func (*FuncFact) AFact() {}

func (f *FuncFact) String() string {
	var parts []string
	for _, r := range f.Fresh {
		parts = append(parts, fmt.Sprintf("fresh(%d: %s)", r.Result, r.Chain))
	}
	if f.Churn != nil {
		parts = append(parts, "churns("+f.Churn.Chain.String()+")")
	}
	for _, p := range f.Params {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, " ")
}

// Fresh says that a result of the function is, or owns, a pool created by
// that call.
type Fresh struct {
	Result int
	Kind   catalog.Kind
	Chain  Chain  // how it is made, from the function down: [newClient, &http.Transport{}]
	Owned  bool   // the result holds the pool in a field rather than being it
	At     string // file:line of the creation, for messages
}

// Churn says that each call of the function creates a pool that does not
// outlive the call.
type Churn struct {
	Kind     catalog.Kind
	Chain    Chain
	Released bool // the pool is closed before the call returns
	At       string
	Reported bool // already reported where it is created
}

// Use is what a function does with a parameter.
type Use int

const (
	Keeps    Use = iota // stores it where it outlives the call (the default)
	Uses                // only uses it
	Wraps               // returns it, or a value that holds it
	Releases            // closes it
)

// ParamFlow records the use of one parameter (the receiver is index 0).
type ParamFlow struct {
	Index  int
	Use    Use
	Result int // for Wraps: the result that holds it
}

func (p ParamFlow) String() string {
	switch p.Use {
	case Uses:
		return fmt.Sprintf("p%d:uses", p.Index)
	case Wraps:
		return fmt.Sprintf("p%d:wraps->%d", p.Index, p.Result)
	case Releases:
		return fmt.Sprintf("p%d:releases", p.Index)
	}
	return fmt.Sprintf("p%d:keeps", p.Index)
}

// PackageFact marks a package that exported at least one FuncFact, so that
// its importers are worth analysing even if they never name net/http.
type PackageFact struct{}

func (*PackageFact) AFact()         {}
func (*PackageFact) String() string { return "haspools" }
