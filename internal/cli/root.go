package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/build"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/completion"
	configcmd "github.com/yafdp/yafdp/internal/cli/config"
	"github.com/yafdp/yafdp/internal/cli/dlq"
	loadcmd "github.com/yafdp/yafdp/internal/cli/load"
	localcmd "github.com/yafdp/yafdp/internal/cli/local"
	"github.com/yafdp/yafdp/internal/cli/order"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/cli/saga"
	"github.com/yafdp/yafdp/internal/cli/simulate"
	"github.com/yafdp/yafdp/internal/cli/version"
)

func init() {
	// Run the root's persistent pre-run (which loads the config) even for
	// commands that define their own.
	cobra.EnableTraverseRunHooks = true
}

// Command groups in `yafdp --help`.
const (
	groupPipeline = "pipeline"
)

// addNounCommands registers one command per noun. A new noun is a package
// under internal/cli with a NewCmd(f) that returns the group command; add it
// here. Verbs are added inside the noun's package.
func addNounCommands(root *cobra.Command, f *cmdutil.Factory) {
	for _, noun := range []*cobra.Command{
		saga.NewCmd(f),
		order.NewCmd(f),
		dlq.NewCmd(f),
		simulate.NewCmdSimulate(f, nil),
		localcmd.NewCmd(f),
		loadcmd.NewCmd(f),
	} {
		noun.GroupID = groupPipeline
		root.AddCommand(noun)
	}
}

var rootLong = cmdutil.Heredoc(`
			Operate the YAFDP order pipeline on AWS.

			Orders go onto an SQS queue; a Lambda starts one Step Functions saga per
			order (Payment, Restaurant, Delivery, Notify, Confirm, with compensations
			on failure); messages that keep failing land in a dead-letter queue.
			yafdp submits orders, runs and follows sagas, replays the dead-letter
			queue, simulates load, and runs the whole pipeline locally.

			Settings come from flags, then YAFDP_* environment variables (YAFDP_REGION,
			YAFDP_ENV, ...), then the config file, then defaults. The config file is
			$XDG_CONFIG_HOME/yafdp/config.yaml (~/.config/yafdp/config.yaml) unless
			--config says otherwise; --env selects one of its named environments.

			Data goes to standard output as a table, JSON or JSON Lines (--output);
			status and progress go to standard error. See 'yafdp help exit-codes'.
		`)

var rootExample = cmdutil.Examples(`
			# Show the version and build details as JSON
			$ yafdp version --output json

			# Use the "local" environment of the config file
			$ yafdp saga --env local --help

			# Load shell completion into the current bash session
			$ source <(yafdp completion bash)
		`)

// NewCmdRoot returns the yafdp command with every subcommand added.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	var format output.Format
	cmd := &cobra.Command{
		Use:               "yafdp <command> <subcommand> [flags]",
		Short:             "Operate the YAFDP order pipeline on AWS",
		Long:              rootLong,
		Example:           rootExample,
		Args:              cmdutil.NounArgs,
		RunE:              cmdutil.ShowHelp,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           build.Version,
		PersistentPreRunE: loadConfig(f),
	}
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmd.SetVersionTemplate("{{.Name}} version {{.Version}}\n")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return cmdutil.FlagErrorWrap(err)
	})

	addGlobalFlags(cmd, f, &format)

	cmd.AddGroup(&cobra.Group{ID: groupPipeline, Title: "Pipeline commands:"})
	addNounCommands(cmd, f)

	cmd.AddCommand(configcmd.NewCmd(f))
	cmd.AddCommand(version.NewCmdVersion(f, nil))
	cmd.AddCommand(completion.NewCmdCompletion(f))
	cmd.AddCommand(newHelpTopicExitCodes())
	cmd.SetHelpCommand(newCmdHelp())

	cmdutil.WrapArgsValidators(cmd)
	return cmd
}

// loadConfig is the root's persistent pre-run: it loads the configuration
// before any command runs, so that a bad config file fails every command
// the same way, and colour is settled before anything is printed.
func loadConfig(f *cmdutil.Factory) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if noColor, _ := f.GlobalFlags.GetBool("no-color"); noColor {
			f.IOStreams.DisableColor()
		}
		if cmd.Name() != cobra.ShellCompRequestCmd && cmd.Name() != cobra.ShellCompNoDescRequestCmd {
			if err := emptyFlag(cmd); err != nil {
				return err
			}
		}
		if cmdutil.IsConfigDisabled(cmd) || cmd.Name() == cobra.ShellCompRequestCmd || cmd.Name() == cobra.ShellCompNoDescRequestCmd {
			// Completion requests parse their flags later, inside the
			// request; loading the config now would cache it without them.
			return nil
		}
		cfg, err := f.Config()
		if err != nil {
			return err
		}
		if cfg.NoColor {
			f.IOStreams.DisableColor()
		}
		return nil
	}
}

// emptyFlag refuses a text flag given with an empty value (--queue "",
// --env ""): it would silently mean the default, which the user did not
// ask for.
func emptyFlag(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if err == nil && fl.Value.Type() == "string" && fl.Value.String() == "" {
			err = cmdutil.FlagErrorf("--%s: the value is empty; give one, or leave the flag out for the default", fl.Name)
		}
	})
	return err
}

// addGlobalFlags adds the flags every command takes, with their
// completions; the Factory reads them through f.GlobalFlags.
func addGlobalFlags(cmd *cobra.Command, f *cmdutil.Factory, format *output.Format) {
	fs := cmd.PersistentFlags()
	fs.VarP(output.NewFormatValue(format, output.Table), "output", "o",
		"Output `format`: "+strings.Join(output.FormatNames(), ", "))
	fs.String("config", "", "Read settings from `file` (default $XDG_CONFIG_HOME/yafdp/config.yaml)")
	fs.String("env", "", "Use the named `environment` from the config file")
	fs.String("profile", "", "AWS shared config `profile`")
	fs.String("region", "", "AWS `region`")
	fs.String("endpoint-url", "", "Send AWS requests to `url`, for example a local emulator")
	fs.Bool("no-color", false, "Disable colour in output")
	fs.Bool("debug", false, "Show the AWS SDK's own error under the one-line explanation of a failed call")
	fs.String("timeout", "", "Give up on an AWS call after this `duration`, retries included (default 30s, 60s for SendMessageBatch; a long poll adds its wait)")
	f.GlobalFlags = fs

	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(output.FormatNames(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("env", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cfg.EnvNames(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.MarkPersistentFlagFilename("config", "yaml", "yml")
}
