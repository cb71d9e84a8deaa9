package unseen

import (
	"net/http"

	"github.com/hashicorp/cli"
)

// CheckCommand is a hashicorp/cli command (nomad's, vault's shape): its Run
// is the process's one command, so its loop over the arguments is a
// startup loop.
type CheckCommand struct{}

func (c *CheckCommand) Help() string     { return "check URLs" }
func (c *CheckCommand) Synopsis() string { return "check" }

func (c *CheckCommand) Run(args []string) int {
	for _, u := range args {
		hc := &http.Client{Transport: &http.Transport{}}
		if _, err := hc.Get(u); err != nil {
			return 1
		}
	}
	return 0
}

var _ cli.Command = (*CheckCommand)(nil)

// Checker has the same loop in a method no CLI framework calls once: each
// call of Run makes a transport per URL.
type Checker struct{}

func (c *Checker) Run(args []string) int {
	for _, u := range args {
		hc := &http.Client{Transport: &http.Transport{}} // want `Checker.Run creates a new HTTP transport per call and drops it`
		if _, err := hc.Get(u); err != nil {
			return 1
		}
	}
	return 0
}
