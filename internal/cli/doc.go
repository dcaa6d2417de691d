// Package cli is yafdp's command line: the root command, the mapping from
// errors to exit codes (ExitCode, the only place that decides them), and
// Ctrl-C handling. Each noun lives in its own package below (saga/, order/,
// dlq/, simulate/, local/, config/), with one file per verb, and version/
// and completion/ are commands of their own. A verb only parses and prints:
// it turns flags into options, makes one call into a domain package, and
// turns the result into output. Domain input errors name fields; the verb
// shows them as flags through cmdutil (InputError, FlagError), the one
// place that maps fields to flags.
//
// # Adding a noun
//
// Create internal/cli/NOUN with a NewCmd(f *cmdutil.Factory) *cobra.Command
// that returns cmdutil.NewNoun(use, short, long, example, verbs...), and
// add it in addNounCommands in root.go.
//
// # Adding a verb
//
// One file per verb in the noun's package, for example saga/watch.go:
//
//	// WatchOptions are the inputs of `yafdp saga watch`.
//	type WatchOptions struct {
//		cmdutil.Deps // IO, Config, Printer, SQSClient, SFNClient
//
//		Execution    string
//		StateMachine string
//		Interval     time.Duration
//	}
//
//	func NewCmdWatch(f *cmdutil.Factory, runF func(context.Context, *WatchOptions) error) *cobra.Command {
//		opts := &WatchOptions{Deps: f.Deps()}
//		cmd := &cobra.Command{
//			Use:   "watch <execution>",
//			Short: "Follow one saga execution live",
//			Long:  cmdutil.Heredoc(`...; document exit codes beyond 0/1/2/130 here`),
//			Example: cmdutil.Examples(`
//				$ yafdp saga watch ord_01HZX3 --interval 2s
//			`),
//			Args: cobra.ExactArgs(1), // errors become usage errors (exit 2)
//			RunE: cmdutil.RunE(opts, opts.parse, runF, runWatch),
//		}
//		cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "Poll every `duration`")
//		return cmd
//	}
//
//	// parse checks the arguments and flags; every error is a usage error.
//	func (o *WatchOptions) parse(_ *cobra.Command, args []string) error {
//		o.Execution = args[0]
//		if o.Interval <= 0 {
//			return cmdutil.FlagErrorf("--interval must be positive, got %s", o.Interval)
//		}
//		return nil
//	}
//
//	func runWatch(ctx context.Context, o *WatchOptions) error {
//		p, c, err := cmdutil.PrinterAnd(ctx, o.Deps, o.SFNClient)
//		...
//		res, err := executions.Watch(ctx, c, executions.WatchOptions{...}) // the one domain call
//		if err != nil {
//			return cmdutil.InputError(err) // a field named as its flag, exit 2
//		}
//		... print res with output.PrintWith or output.NewList ...
//		if !res.Execution.Succeeded() {
//			return &cmdutil.ExitError{Code: cmdutil.ExitFailed} // already reported
//		}
//		return ctx.Err() // context.Canceled → exit 130
//	}
//
// and add it to the noun's NewCmd.
//
// Tests: flag parsing runs NewCmdWatch(f, runF) through clitest.Exec with a
// runF that captures the options; run tests call runWatch with stubbed or
// emulated AWS (an httptest server as the SFN endpoint); output is compared
// with golden files through clitest.Golden (go test -update refreshes them).
package cli
