// Package cli is yafdp's command line: the root command, the mapping from
// errors to exit codes (ExitCode, the only place that decides them), and
// Ctrl-C handling. Each noun lives in its own package below (saga/, and
// later order/, dlq/, simulate/, local/) with one file per verb; a verb turns
// flags into options and results into output, and leaves the work to the
// domain packages.
//
// # Adding a noun
//
// Create internal/cli/NOUN with a NewCmd(f *cmdutil.Factory) *cobra.Command
// whose Args is cmdutil.NounArgs and RunE is cmdutil.ShowHelp, and add it in
// addNounCommands in root.go.
//
// # Adding a verb
//
// One file per verb in the noun's package, for example saga/watch.go:
//
//	// WatchOptions are the inputs of `yafdp saga watch`.
//	type WatchOptions struct {
//		IO        *iostreams.IOStreams
//		Config    func() (*config.Config, error)
//		Printer   func() (*output.Printer, error)
//		SFNClient func(context.Context) (*sfn.Client, error)
//
//		ExecutionARN string
//		Interval     time.Duration
//	}
//
//	func NewCmdWatch(f *cmdutil.Factory, runF func(context.Context, *WatchOptions) error) *cobra.Command {
//		opts := &WatchOptions{
//			IO:        f.IOStreams,
//			Config:    f.Config,
//			Printer:   f.Printer,
//			SFNClient: f.SFNClient,
//		}
//		cmd := &cobra.Command{
//			Use:   "watch <execution>",
//			Short: "Follow one saga execution live",
//			Long:  cmdutil.Heredoc(`...; document exit codes beyond 0/1/2/130 here`),
//			Example: cmdutil.Examples(`
//				$ yafdp saga watch ord_01HZX3 --interval 2s
//			`),
//			Args: cobra.ExactArgs(1), // errors become usage errors (exit 2)
//			RunE: func(cmd *cobra.Command, args []string) error {
//				opts.ExecutionARN = args[0]
//				if opts.Interval <= 0 {
//					return cmdutil.FlagErrorf("--interval must be positive, got %s", opts.Interval)
//				}
//				if runF != nil {
//					return runF(cmd.Context(), opts)
//				}
//				return runWatch(cmd.Context(), opts)
//			},
//		}
//		cmd.Flags().DurationVar(&opts.Interval, "interval", time.Second, "Poll every `duration`")
//		return cmd
//	}
//
//	func runWatch(ctx context.Context, opts *WatchOptions) error {
//		client, err := opts.SFNClient(ctx)
//		...
//		p, err := opts.Printer()
//		...
//		list := output.NewList(p, eventColumns...)
//		for ev := range events { // stops when ctx is cancelled by Ctrl-C
//			if err := list.Add(ev); err != nil {
//				return err
//			}
//		}
//		if err := list.Close(); err != nil { // also after an interruption
//			return err
//		}
//		if status == "FAILED" {
//			return &cmdutil.ExitError{Code: cmdutil.ExitFailed} // already reported
//		}
//		return ctx.Err() // context.Canceled → exit 130
//	}
//
// and add it in the noun's NewCmd: cmd.AddCommand(NewCmdWatch(f, nil)).
//
// Tests: flag parsing runs NewCmdWatch(f, runF) through clitest.Exec with a
// runF that captures the options; run tests call runWatch with stubbed or
// emulated AWS (an httptest server as the SFN endpoint); output is compared
// with golden files through clitest.Golden (go test -update refreshes them).
package cli
