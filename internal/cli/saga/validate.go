package saga

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/ui"
)

// ValidateOptions are the inputs of `yafdp saga validate`.
type ValidateOptions struct {
	cmdutil.Deps
	File string
}

// NewCmdValidate returns `yafdp saga validate FILE`.
func NewCmdValidate(f *cmdutil.Factory, runF func(context.Context, *ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check an ASL document for errors",
		Long: cmdutil.Heredoc(`
			Parse and validate an Amazon States Language document, as Step Functions
			does before it accepts a state machine, and list every problem with the
			state and field at fault (States.ProcessPayment.Retry[0].BackoffRate: must
			be >= 1.0). FILE may be - for standard input.

			Exit codes: 0 the document is valid; 1 it is not (the problems are
			printed); 2 the file cannot be read.
		`),
		Example: cmdutil.Examples(`
			$ yafdp saga validate my-saga.asl.json
			$ yafdp saga definition | yafdp saga validate -
			$ yafdp saga validate my-saga.asl.json --output json
		`),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.FlagErrorf("validate needs one FILE to check (or - for standard input), got %d arguments", len(args))
			}
			return nil
		},
		RunE: cmdutil.RunE(opts, opts.parse, runF, runValidate),
	}
	return cmd
}

// parse checks the arguments and flags.
func (o *ValidateOptions) parse(_ *cobra.Command, args []string) error {
	o.File = args[0]
	return nil
}

type validation struct {
	File     string        `json:"file"`
	Valid    bool          `json:"valid"`
	States   int           `json:"states"`
	Problems []asl.Problem `json:"problems"`
}

func runValidate(_ context.Context, o *ValidateOptions) error {
	var data []byte
	var err error
	if o.File == "-" {
		data, err = input.ReadAll(o.IO.In, "standard input", input.LimitASL)
	} else {
		data, err = input.ReadFile(o.File, input.LimitASL)
	}
	if err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	p, err := o.Printer()
	if err != nil {
		return err
	}
	res := validation{File: o.File, Problems: []asl.Problem{}}
	m, err := asl.Parse(data)
	var ve *asl.ValidationError
	switch {
	case err == nil:
		res.Valid = true
		res.States = m.CountStates()
	case errors.As(err, &ve):
		res.Problems = ve.Problems
	default:
		return err
	}
	if err := output.PrintWith(p, res, res.render); err != nil {
		return err
	}
	if !res.Valid {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	}
	return nil
}

func (v validation) render(w io.Writer, s *ui.Styles) error {
	if v.Valid {
		_, err := fmt.Fprintf(w, "%s %s is valid ASL: %d states\n", s.SuccessIcon(), v.File, v.States)
		return err
	}
	noun := "problems"
	if len(v.Problems) == 1 {
		noun = "problem"
	}
	if _, err := fmt.Fprintf(w, "%s %s has %d %s:\n", s.FailureIcon(), v.File, len(v.Problems), noun); err != nil {
		return err
	}
	for _, pr := range v.Problems {
		where := pr.Where
		if where == "" {
			where = "(document)"
		}
		if _, err := fmt.Fprintf(w, "  %s: %s\n", s.Step(where), pr.Message); err != nil {
			return err
		}
	}
	return nil
}
