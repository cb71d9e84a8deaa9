package unseen

import "net/http"

// Provisioner is how a host sets up each module of a config.
type Provisioner interface{ Provision() error }

type certPool struct{ url string }

// Provision runs once per config load (caddy's HTTPCertPool): the loop
// below is over the config's modules, not over requests.
func (p certPool) Provision() error {
	c := &http.Client{Transport: &http.Transport{}}
	_, err := c.Get(p.url)
	return err
}

func provisionAll(mods []Provisioner) error {
	for _, m := range mods {
		if err := m.Provision(); err != nil {
			return err
		}
	}
	return nil
}
