package saga

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/saga"
)

// DefinitionOptions are the inputs of `yafdp saga definition`.
type DefinitionOptions struct {
	cmdutil.Deps

	// QueryLanguage picks the saga's form: jsonpath or jsonata.
	QueryLanguage string
}

// NewCmdDefinition returns `yafdp saga definition`.
func NewCmdDefinition(f *cmdutil.Factory, runF func(context.Context, *DefinitionOptions) error) *cobra.Command {
	opts := &DefinitionOptions{Deps: f.Deps(), QueryLanguage: "jsonpath"}
	cmd := &cobra.Command{
		Use:   "definition",
		Short: "Print the order saga's ASL definition",
		Long: cmdutil.Heredoc(`
			Print the Amazon States Language definition of the order saga embedded in
			this binary: the document that is deployed to Step Functions and that
			'saga run', 'simulate' and 'local up' execute.

			The table and JSON formats print it indented; --output jsonl prints it on
			one line, ready for 'aws stepfunctions create-state-machine --definition'.
			Reading the definition deployed in an AWS account is not built yet.

			--query-language jsonata prints the same saga written in JSONata with
			workflow variables: the same steps, retries and compensations, and the
			same outcome for every order (the test suite runs both through the
			invariant checker with the same seeds and faults).
		`),
		Example: cmdutil.Examples(`
			$ yafdp saga definition > saga.asl.json
			$ yafdp saga definition --output jsonl
			$ yafdp saga definition --query-language jsonata > saga.jsonata.asl.json
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, opts.parse, runF, runDefinition),
	}
	cmd.Flags().StringVar(&opts.QueryLanguage, "query-language", opts.QueryLanguage, "The saga's query `language`: jsonpath or jsonata")
	_ = cmd.RegisterFlagCompletionFunc("query-language", cobra.FixedCompletions([]string{"jsonpath", "jsonata"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (o *DefinitionOptions) parse(*cobra.Command, []string) error {
	switch strings.ToLower(o.QueryLanguage) {
	case "jsonpath", "jsonata":
		o.QueryLanguage = strings.ToLower(o.QueryLanguage)
		return nil
	}
	return cmdutil.FlagErrorf("--query-language: %q is not a query language; use jsonpath or jsonata", o.QueryLanguage)
}

func runDefinition(_ context.Context, o *DefinitionOptions) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	def := saga.Definition
	if o.QueryLanguage == "jsonata" {
		def = saga.DefinitionJSONata
	}
	var buf bytes.Buffer
	if p.Format() == output.JSONL {
		if err := json.Compact(&buf, def); err != nil {
			return err
		}
	} else {
		buf.Write(bytes.TrimRight(def, "\n"))
	}
	buf.WriteByte('\n')
	_, err = io.Copy(o.IO.Out, &buf)
	return err
}
