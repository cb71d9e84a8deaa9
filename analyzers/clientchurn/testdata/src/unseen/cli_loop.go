package unseen

import (
	"net/http"

	"github.com/spf13/cobra"
)

// A CLI command runs once per process: looping over its flag values is a
// startup loop, like one in main.
func newCheckCmd(urls []string) *cobra.Command {
	return &cobra.Command{
		Use: "check",
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, u := range urls {
				c := &http.Client{Transport: &http.Transport{}}
				if _, err := c.Get(u); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// runPing is a command's RunE by name; its loop is the same startup loop.
func runPing(cmd *cobra.Command, args []string) error {
	for _, a := range args {
		c := &http.Client{Transport: &http.Transport{}}
		c.Get(a)
	}
	return nil
}

var pingCmd = &cobra.Command{Use: "ping", RunE: runPing}
