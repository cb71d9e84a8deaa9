// Package cobra is a stub of github.com/spf13/cobra.
package cobra

type Command struct {
	Use      string
	Run      func(cmd *Command, args []string)
	RunE     func(cmd *Command, args []string) error
	PreRunE  func(cmd *Command, args []string) error
	commands []*Command
}

func (c *Command) AddCommand(cmds ...*Command) { c.commands = append(c.commands, cmds...) }
func (c *Command) Execute() error              { return nil }
