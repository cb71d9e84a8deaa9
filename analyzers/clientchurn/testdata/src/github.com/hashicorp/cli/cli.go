// Package cli is a stub of github.com/hashicorp/cli (mitchellh/cli's
// fork): the CLI runs one Command's Run per process.
package cli

type Command interface {
	Help() string
	Run(args []string) int
	Synopsis() string
}
