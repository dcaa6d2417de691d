package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/crash"
)

// Main runs yafdp with the process's arguments and standard streams and
// returns the exit code; cmd/yafdp passes it to os.Exit. A crash is one
// line on standard error that says where the full report went (see
// package crash), never a Go dump.
func Main() (code int) {
	if crash.IsMonitor() {
		return crash.RunMonitor("yafdp")
	}
	crash.Start() // before anything holds on to os.Stderr
	ios := iostreams.System()
	defer crash.Recover("yafdp", ios.ErrOut, &code)
	return withInterrupts(ios.ErrOut, func(ctx context.Context) int {
		return Run(ctx, os.Args[1:], ios)
	})
}

// withInterrupts calls run with a context that the first Ctrl-C (or
// SIGTERM) cancels, so that a command can stop cleanly and report what it
// has done. A second Ctrl-C exits with status 130 at once.
func withInterrupts(errOut io.Writer, run func(context.Context) int) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	defer close(done)

	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		// Listen for the second signal before NotifyContext lets go of
		// the first, so that none slips through to the default handler.
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(again)
		stop()
		fmt.Fprintln(errOut, "yafdp: interrupted; finishing up (press Ctrl-C again to quit at once)")
		select {
		case <-again:
			fmt.Fprintln(errOut, "yafdp: quit")
			os.Exit(cmdutil.ExitInterrupted)
		case <-done:
		}
	}()

	return run(ctx)
}

// Run runs yafdp with args (without the program name) on ios and returns the
// exit code. It prints errors itself, so callers only exit with the code.
// Cancelling ctx is an interruption: the command is told through its
// context, and the exit code is 130.
func Run(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	return runWithFactory(ctx, args, cmdutil.NewFactory(ios))
}

func runWithFactory(ctx context.Context, args []string, f *cmdutil.Factory) int {
	root := NewCmdRoot(f)
	if args == nil {
		// cobra reads os.Args when args is nil.
		args = []string{}
	}
	root.SetArgs(args)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)

	cmd, err := root.ExecuteContextC(ctx)
	interrupted := ctx.Err() != nil
	code := ExitCode(err, interrupted)
	printError(f.IOStreams.ErrOut, f.AppName, cmd, err, code, explainer(f))
	return code
}

// explainer words failed AWS calls for people (cmdutil.ExplainAWS), with
// the SDK's own error on a second line under --debug (or YAFDP_DEBUG).
func explainer(f *cmdutil.Factory) func(error) (string, bool) {
	return func(err error) (string, bool) {
		var cfg *config.Config
		if f.Config != nil {
			cfg, _ = f.Config()
		}
		line, ok := cmdutil.ExplainAWS(err, cfg)
		if ok && f.Debug() {
			line += "\n" + f.AppName + ": debug: " + err.Error()
		}
		return line, ok
	}
}

// ExitCode maps the outcome of a command to the process exit status. It is
// the one place where that happens:
//
//   - 0: success
//   - 130: interrupted (the context was cancelled, or the command
//     returned cmdutil.ErrInterrupted or context.Canceled)
//   - the Code of a *cmdutil.ExitError
//   - 2: *cmdutil.UsageError, *config.Error, and the usage errors cobra
//     makes itself (missing required flags, flag groups)
//   - 1: everything else, including cmdutil.ErrSilent
func ExitCode(err error, interrupted bool) int {
	var (
		exitErr  *cmdutil.ExitError
		usageErr *cmdutil.UsageError
		cfgErr   *config.Error
	)
	switch {
	case interrupted, errors.Is(err, cmdutil.ErrInterrupted), errors.Is(err, context.Canceled):
		return cmdutil.ExitInterrupted
	case err == nil:
		return cmdutil.ExitOK
	case errors.As(err, &exitErr):
		return exitErr.Code
	case errors.As(err, &usageErr), errors.As(err, &cfgErr), isCobraUsageError(err):
		return cmdutil.ExitUsage
	default:
		return cmdutil.ExitFailed
	}
}

// isCobraUsageError recognises the usage errors that cobra returns without
// passing them through the flag error function or an Args validator.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{
		"required flag(s) ",
		"if any flags in the group ",
		"at least one of the flags in the group ",
		"unknown command ",
	} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

// printError writes err as one line, "yafdp: message", on standard error,
// with a pointer to the help of the command for usage errors; explain (when
// not nil) may word the error for people.
func printError(w io.Writer, app string, cmd *cobra.Command, err error, code int, explain func(error) (string, bool)) {
	if err == nil || errors.Is(err, cmdutil.ErrSilent) {
		return
	}
	var exitErr *cmdutil.ExitError
	if errors.As(err, &exitErr) && exitErr.Err == nil {
		return
	}
	if code == cmdutil.ExitInterrupted && (errors.Is(err, context.Canceled) || errors.Is(err, cmdutil.ErrInterrupted)) {
		fmt.Fprintf(w, "%s: interrupted\n", app)
		return
	}
	msg := err.Error()
	if explain != nil {
		if line, ok := explain(err); ok {
			msg = line
		}
	}
	fmt.Fprintf(w, "%s: %s\n", app, msg)
	var usageErr *cmdutil.UsageError
	if (errors.As(err, &usageErr) && usageErr.ShowHelpHint) || (usageErr == nil && isCobraUsageError(err)) {
		path := app
		if cmd != nil {
			path = cmd.CommandPath()
		}
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", path)
	}
}
