package lifetime

import "strings"

// Step names one link of a chain as diagnostics show it: a function
// (Pkg "lib", Name "Client.Do"), a catalogued call ("grpc", "Dial()"), an
// allocation ("", "&http.Transport{}") or a factory field ("", "newClient
// (set to makeClient)"). The qualifier is kept apart so that a check can
// drop it inside its own package without reading the name back.
type Step struct {
	Pkg  string // the name of the package that qualifies the step; "" for none
	Name string // the rest
}

// String is the step as other packages show it.
func (s Step) String() string {
	if s.Pkg == "" {
		return s.Name
	}
	return s.Pkg + "." + s.Name
}

// In is the step as package pkg (by name) shows it: without the qualifier
// when it is pkg's own.
func (s Step) In(pkg string) string {
	if s.Pkg == pkg {
		return s.Name
	}
	return s.String()
}

// Chain is how a pool is made, or how a function comes to run per call:
// from the outermost function down.
type Chain []Step

// String joins the steps as other packages show them.
func (c Chain) String() string { return c.join(func(s Step) string { return s.String() }) }

// In joins the steps as package pkg (by name) shows them.
func (c Chain) In(pkg string) string { return c.join(func(s Step) string { return s.In(pkg) }) }

func (c Chain) join(name func(Step) string) string {
	parts := make([]string, len(c))
	for i, s := range c {
		parts[i] = name(s)
	}
	return strings.Join(parts, " -> ")
}

// prepend returns the chain with s in front, sharing nothing with c.
func (c Chain) prepend(s Step) Chain { return append(Chain{s}, c...) }
