package load

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/load"
)

// MergeOptions are the inputs of `yafdp load merge`.
type MergeOptions struct {
	cmdutil.Deps
	Files      []string
	Thresholds []string
	ReportFile string

	reports    []*load.Report
	thresholds []load.Threshold
}

// limitReport is the most one report file may hold.
var limitReport = input.Limit{Bytes: 256 << 20, What: "the most a load report may hold"}

// NewCmdMerge returns `yafdp load merge`.
func NewCmdMerge(f *cmdutil.Factory, runF func(context.Context, *MergeOptions) error) *cobra.Command {
	opts := &MergeOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Combine the JSON reports of the shards of one load run into one report",
		Long: cmdutil.Heredoc(`
			Combine the --output json reports of the shards of one run (yafdp load
			--shard K/N --run-key KEY) into one report, as if one process had sent
			every order: the counts add up, the HDR histograms merge exactly, the
			per-second series add up second by second from each shard's start, and
			the thresholds (the shards', or --threshold) are checked against the
			whole.

			Exit codes: 0 merged and every threshold held; 1 a threshold was breached
			or the accounting does not add up; 2 a file cannot be read, is not a load
			report, or belongs to another run or to a shard already given.
		`),
		Example: cmdutil.Examples(`
			# Two shards of one run, merged into one table
			$ yafdp load merge a.json b.json

			# With a threshold of its own, and charts
			$ yafdp load merge shard-*.json --threshold 'e2e.p99<10s' --report run.html
		`),
		Args: cobra.MinimumNArgs(1),
		RunE: cmdutil.RunE(opts, opts.parse, runF, runMerge),
	}
	cmd.Flags().StringArrayVar(&opts.Thresholds, "threshold", nil, "Check this `criterion` instead of the shards' thresholds (repeatable)")
	cmd.Flags().StringVar(&opts.ReportFile, "report", "", "Write charts to `file`.html or .png, or the report to file.json")
	_ = cmd.MarkFlagFilename("report", "html", "png", "json")
	return cmd
}

func (o *MergeOptions) parse(_ *cobra.Command, args []string) error {
	o.Files = args
	for _, t := range o.Thresholds {
		th, err := load.ParseThreshold(t)
		if err != nil {
			return cmdutil.FlagErrorf("--threshold %v", err)
		}
		o.thresholds = append(o.thresholds, th)
	}
	for _, name := range args {
		data, err := input.ReadFile(name, limitReport)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return cmdutil.UsageErrorf("%s: no such file; give the --output json reports of the shards", name)
			}
			return cmdutil.UsageErrorf("%s: %v", name, err)
		}
		var r load.Report
		if err := json.Unmarshal(data, &r); err != nil || r.Version == 0 {
			return cmdutil.UsageErrorf("%s: not the JSON report of yafdp load (write it with --output json)", name)
		}
		o.reports = append(o.reports, &r)
	}
	if o.Thresholds == nil {
		if !load.SameThresholds(o.reports) {
			return cmdutil.UsageErrorf("the shards were checked against different thresholds; give the ones to check with --threshold")
		}
		th, err := load.ThresholdsOf(o.reports[0])
		if err != nil {
			return cmdutil.UsageErrorf("%s: %v", args[0], err)
		}
		o.thresholds = th
	}
	return nil
}

func runMerge(_ context.Context, o *MergeOptions) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	rep, err := load.Merge(o.reports, o.thresholds)
	if err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	if o.ReportFile != "" {
		if err := writeReportFile(o.ReportFile, rep); err != nil {
			return err
		}
	}
	v := &tableView{r: rep}
	if err := output.PrintWith(p, rep, v.render); err != nil {
		return err
	}
	return exitOf(context.Background(), rep, nil)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
