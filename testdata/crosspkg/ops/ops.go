// Package ops is a library: its users, in other modules, call Get again
// and again.
package ops

import "net/http"

type Getter struct{ base string }

func NewGetter(base string) *Getter { return &Getter{base: base} }

func (g *Getter) Get(path string) error {
	c := &http.Client{Transport: &http.Transport{}}
	resp, err := c.Get(g.base + path)
	if err == nil {
		resp.Body.Close()
	}
	return err
}
