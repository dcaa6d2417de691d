package cmdutil

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/config"
)

// Deps are the dependencies a verb takes from the Factory. A verb's
// Options embed them, copied when its command is built, so that a test
// can replace any of them.
type Deps struct {
	IO        *iostreams.IOStreams
	Config    func() (*config.Config, error)
	Printer   func() (*output.Printer, error)
	SQSClient func(context.Context) (*sqs.Client, error)
	SFNClient func(context.Context) (*sfn.Client, error)
}

// Deps returns the Factory's dependencies for a verb's Options.
func (f *Factory) Deps() Deps {
	return Deps{IO: f.IOStreams, Config: f.Config, Printer: f.Printer, SQSClient: f.SQSClient, SFNClient: f.SFNClient}
}

// NewNoun returns the command of a noun such as saga: it shows its help,
// and an argument that names none of its verbs is a usage error.
func NewNoun(use, short, long, example string, verbs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Example: example, Args: NounArgs, RunE: ShowHelp}
	cmd.AddCommand(verbs...)
	return cmd
}

// RunE is a verb's RunE: parse (when not nil) checks the arguments and
// flags into opts, then run does the work, or runF does in tests that
// check only the parsing.
func RunE[O any](opts *O, parse func(cmd *cobra.Command, args []string) error, runF, run func(context.Context, *O) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if parse != nil {
			if err := parse(cmd, args); err != nil {
				return err
			}
		}
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return run(cmd.Context(), opts)
	}
}

// PrinterAnd returns the printer and an AWS client, client being a Deps
// field (SQSClient, SFNClient): what a verb that reads AWS needs first.
func PrinterAnd[C any](ctx context.Context, d Deps, client func(context.Context) (C, error)) (*output.Printer, C, error) {
	var c C
	p, err := d.Printer()
	if err != nil {
		return nil, c, err
	}
	c, err = client(ctx)
	return p, c, err
}
