package completion

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
)

// Shells are the shells completion scripts can be generated for.
var Shells = []string{"bash", "zsh", "fish", "powershell"}

// Options are the inputs of `yafdp completion`.
type Options struct {
	Out   io.Writer
	Shell string
	// Root is the command tree to complete.
	Root *cobra.Command
}

// NewCmdCompletion returns the completion command.
func NewCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	opts := &Options{}
	cmd := &cobra.Command{
		Use:   "completion <bash|zsh|fish|powershell>",
		Short: "Generate a shell completion script",
		Long: cmdutil.Heredoc(`
			Generate the completion script for a shell and print it to standard output.

			bash (needs the bash-completion package):
			  source <(yafdp completion bash)                      # this session
			  yafdp completion bash > /etc/bash_completion.d/yafdp  # every session

			zsh:
			  yafdp completion zsh > "${fpath[1]}/_yafdp"   # then start a new shell

			fish:
			  yafdp completion fish > ~/.config/fish/completions/yafdp.fish

			PowerShell:
			  yafdp completion powershell | Out-String | Invoke-Expression
		`),
		Example: cmdutil.Examples(`
			$ yafdp completion bash > ~/.local/share/bash-completion/completions/yafdp
			$ yafdp completion zsh > "${fpath[1]}/_yafdp"
		`),
		ValidArgs:             Shells,
		DisableFlagsInUseLine: true,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) != 1:
				return cmdutil.FlagErrorf("name one shell: %s", strings.Join(Shells, ", "))
			case !slices.Contains(Shells, args[0]):
				return cmdutil.FlagErrorf("unsupported shell %q: use one of %s", args[0], strings.Join(Shells, ", "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out = f.IOStreams.Out
			opts.Shell = args[0]
			opts.Root = cmd.Root()
			return runCompletion(cmd.Context(), opts)
		},
	}
	cmdutil.DisableConfig(cmd)
	return cmd
}

func runCompletion(_ context.Context, opts *Options) error {
	switch opts.Shell {
	case "bash":
		return opts.Root.GenBashCompletionV2(opts.Out, true)
	case "zsh":
		return opts.Root.GenZshCompletion(opts.Out)
	case "fish":
		return opts.Root.GenFishCompletion(opts.Out, true)
	case "powershell":
		return opts.Root.GenPowerShellCompletionWithDesc(opts.Out)
	default:
		return fmt.Errorf("unsupported shell %q", opts.Shell)
	}
}
