// Package prometheus is a stub of the Prometheus client's registry.
package prometheus

type Collector interface{ Collect() }

type Registry struct{ cs []Collector }

func NewRegistry() *Registry { return &Registry{} }

func (r *Registry) MustRegister(cs ...Collector) { r.cs = append(r.cs, cs...) }

func (r *Registry) Gather() int { return len(r.cs) }
