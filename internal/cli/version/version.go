package version

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/build"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
)

// Options are the inputs of `yafdp version`.
type Options struct {
	Printer func() (*output.Printer, error)
	// Build is the build information to show.
	Build build.Info
}

// NewCmdVersion returns the version command. runF replaces runVersion in
// tests that only check flag parsing.
func NewCmdVersion(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		Printer: f.Printer,
		Build:   build.Current(),
	}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the version of yafdp",
		Long:  "Show the version, commit, build date, Go version and platform of this binary.",
		Example: cmdutil.Examples(`
			$ yafdp version
			$ yafdp version --output json
		`),
		Args: cobra.NoArgs,
		RunE: cmdutil.RunE(opts, nil, runF, runVersion),
	}
	return cmd
}

// columns are the fields of the table form.
var columns = []output.Column[build.Info]{
	{Header: "Version", Value: func(i build.Info) string { return i.Version }},
	{Header: "Commit", Value: func(i build.Info) string { return i.Commit }},
	{Header: "Built", Value: func(i build.Info) string { return i.Date }},
	{Header: "Go", Value: func(i build.Info) string { return i.GoVersion }},
	{Header: "Platform", Value: func(i build.Info) string { return i.OS + "/" + i.Arch }},
}

func runVersion(_ context.Context, opts *Options) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	return output.PrintItem(p, opts.Build, columns...)
}
