// Package provider is a host whose components are set up and never torn
// down: they live as long as the process (traefik's providers).
package provider

type Provider interface {
	Init() error
	Provide(events chan<- string) error
}
