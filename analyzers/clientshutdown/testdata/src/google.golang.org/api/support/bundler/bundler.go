// Package bundler is a stub of google.golang.org/api/support/bundler:
// NewBundler returns a Bundler that calls the handler it is given.
package bundler

type Bundler struct {
	DelayThreshold int
	handler        func(interface{})
}

func NewBundler(itemExample interface{}, handler func(interface{})) *Bundler {
	return &Bundler{handler: handler}
}

func (b *Bundler) Add(item interface{}, size int) error { return nil }
func (b *Bundler) Flush()                               {}
