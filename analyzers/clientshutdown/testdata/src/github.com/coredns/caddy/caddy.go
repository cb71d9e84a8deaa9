// Package caddy stands in for github.com/coredns/caddy: a plugin's setup
// gets a Controller, and registers its teardown on it.
package caddy

type Controller struct{ hooks []func() error }

func (c *Controller) OnShutdown(fn func() error)      { c.hooks = append(c.hooks, fn) }
func (c *Controller) OnFinalShutdown(fn func() error) { c.hooks = append(c.hooks, fn) }
func (c *Controller) OnRestart(fn func() error)       { c.hooks = append(c.hooks, fn) }
