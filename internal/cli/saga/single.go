package saga

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/ui"
)

// singleReport is what `saga run --input` prints: the execution's result and
// its history as GetExecutionHistory would list it.
type singleReport struct {
	Name   string             `json:"name"`
	Status string             `json:"status"`
	Output any                `json:"output"`
	Error  string             `json:"error"`
	Cause  string             `json:"cause"`
	Events []asl.HistoryEvent `json:"events"`
	// MapRuns are the Map Runs of its Distributed Map states.
	MapRuns  []mapRunReport `json:"map_runs,omitempty"`
	timeline []saga.Step
}

// mapRunReport is one Map Run of a `saga run --input` execution: its ARN,
// status and how its items ended.
type mapRunReport struct {
	ARN       string `json:"map_run_arn"`
	Status    string `json:"status"`
	Items     int64  `json:"items"`
	Succeeded int64  `json:"succeeded"`
	Failed    int64  `json:"failed"`
	TimedOut  int64  `json:"timed_out"`
	Aborted   int64  `json:"aborted"`
	Pending   int64  `json:"pending"`
}

func mapRunReports(x *asl.Execution) []mapRunReport {
	var out []mapRunReport
	for _, r := range x.MapRuns() {
		in := r.Describe()
		c := in.Items
		out = append(out, mapRunReport{ARN: r.ARN(), Status: string(in.Status), Items: c.Total, Succeeded: c.Succeeded,
			Failed: c.Failed, TimedOut: c.TimedOut, Aborted: c.Aborted, Pending: c.Pending})
	}
	return out
}

func runSingle(ctx context.Context, o *RunOptions, p *output.Printer) error {
	machine, name := o.machine()
	x, err := saga.RunOne(ctx, saga.OneOptions{Machine: machine, MachineName: name, Input: o.input, Faults: o.fakes, Seed: o.Seed, Virtual: o.Virtual, Mock: o.mock, Objects: o.objects()})
	if err != nil {
		return cmdutil.InputError(err)
	}
	status, out, errName, cause := x.Result()
	events := x.Events()
	rep := &singleReport{Name: x.Name, Status: string(status), Output: out, Error: errName, Cause: cause, Events: events, timeline: saga.Timeline(events), MapRuns: mapRunReports(x)}
	if err := output.PrintWith(p, rep, rep.render); err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		return cmdutil.ErrInterrupted
	case status != asl.StatusSucceeded:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	}
	return nil
}

func (r *singleReport) render(w io.Writer, s *ui.Styles) error {
	b := &batchReport{Execution: &executionSummary{Name: r.Name, Status: r.Status, Error: r.Error, Cause: r.Cause}, Timeline: r.timeline}
	var sb strings.Builder
	b.renderTimeline(&sb, s)
	for _, m := range r.MapRuns {
		fmt.Fprintf(&sb, "\n%s %s\n  %s · %d items: %d succeeded, %d failed, %d timed out, %d aborted, %d not started\n",
			s.Header("Map Run"), m.ARN, m.Status, m.Items, m.Succeeded, m.Failed, m.TimedOut, m.Aborted, m.Pending)
	}
	if r.Status == string(asl.StatusSucceeded) {
		pretty, err := json.MarshalIndent(r.Output, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(&sb, "\n%s\n%s\n", s.Header("Output"), pretty)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// progress shows how many executions have ended, on a terminal only.
type progress struct{ bar *ui.Progress }

func newProgress(ios *iostreams.IOStreams, total int) *progress {
	if total < 50 || !ios.IsStderrTTY() || !ios.CanRedraw() {
		return &progress{}
	}
	return &progress{bar: ui.NewProgress(ios.ErrOut, int64(total), "sagas ended")}
}

func (p *progress) update(done int) {
	if p.bar != nil {
		p.bar.Set(int64(done))
	}
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Done()
	}
}

// objects is the S3 stand-in of --s3-dir, nil without it.
func (o *RunOptions) objects() asl.ObjectStore {
	if o.S3Dir == "" {
		return nil
	}
	return asl.DirStore{Dir: o.S3Dir}
}
