package saga

import (
	"bytes"
	"context"
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/saga"
)

// DefinitionOptions are the inputs of `yafdp saga definition`.
type DefinitionOptions struct {
	cmdutil.Deps
}

// NewCmdDefinition returns `yafdp saga definition`.
func NewCmdDefinition(f *cmdutil.Factory, runF func(context.Context, *DefinitionOptions) error) *cobra.Command {
	opts := &DefinitionOptions{Deps: f.Deps()}
	return &cobra.Command{
		Use:   "definition",
		Short: "Print the order saga's ASL definition",
		Long: cmdutil.Heredoc(`
			Print the Amazon States Language definition of the order saga embedded in
			this binary: the document that is deployed to Step Functions and that
			'saga run', 'simulate' and 'local up' execute.

			The table and JSON formats print it indented; --output jsonl prints it on
			one line, ready for 'aws stepfunctions create-state-machine --definition'.
			Reading the definition deployed in an AWS account is not built yet.
		`),
		Example: cmdutil.Examples(`
			$ yafdp saga definition > saga.asl.json
			$ yafdp saga definition --output jsonl
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, nil, runF, runDefinition),
	}
}

func runDefinition(_ context.Context, o *DefinitionOptions) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if p.Format() == output.JSONL {
		if err := json.Compact(&buf, saga.Definition); err != nil {
			return err
		}
	} else {
		buf.Write(bytes.TrimRight(saga.Definition, "\n"))
	}
	buf.WriteByte('\n')
	_, err = io.Copy(o.IO.Out, &buf)
	return err
}
