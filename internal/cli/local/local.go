package local

import (
	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
)

// NewCmd returns the local command group.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewNoun("local <command>", "Run the whole pipeline on this machine",
		cmdutil.Heredoc(`
			Run the whole order pipeline on this machine, behind SQS- and Step
			Functions-compatible endpoints that every yafdp command, the aws CLI and
			any AWS SDK can use with --endpoint-url.
		`),
		cmdutil.Examples(`
			$ yafdp local up
			$ yafdp local up --fault payment.decline=0.05 --fault neworder.error=0.01
		`),
		NewCmdUp(f, nil),
	)
}
