package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
)

// newHelpTopicExitCodes is `yafdp help exit-codes`. A command without Run
// is a help topic to cobra: it is listed under "Additional help topics".
func newHelpTopicExitCodes() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exit-codes",
		Short: "Exit codes and what they mean",
		Long: cmdutil.Heredoc(`
			yafdp exits with one of these codes:

			  0    success
			  1    the operation failed: an AWS call failed, or the outcome is a
			       failure (for example, the watched saga ended FAILED, or a
			       load --threshold was breached)
			  2    usage error or bad input: unknown command or flag, invalid flag
			       value, invalid config file, unknown --env, input that does not
			       validate
			  3    saga test-state: the tested state failed and its Retry would
			       retry it (RETRIABLE); 0 when it succeeded or a Catch caught
			       the error, 1 when it failed
			  70   yafdp crashed (a bug): one line on standard error says where the
			       full report went (a crash outside the main goroutine exits with
			       Go's status 2, with the same line)
			  130  interrupted: the first Ctrl-C asks the command to stop and report
			       what it did; a second Ctrl-C quits at once

			Commands that use more codes list them in their own help.
		`),
	}
	cmdutil.DisableConfig(cmd)
	return cmd
}

// newCmdHelp replaces cobra's help command, which answers an unknown topic
// with the usage and status 0; here it is a usage error.
func newCmdHelp() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help shows the help of any command or help topic, for example 'yafdp help exit-codes'.",
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return cmdutil.UsageErrorf("unknown help topic %q; run 'yafdp help' for the list", strings.Join(args, " "))
			}
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, _, err := c.Root().Find(args)
			if err != nil || parent == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range parent.Commands() {
				if (sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand()) && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmdutil.DisableConfig(cmd)
	return cmd
}
