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
	Name     string             `json:"name"`
	Status   string             `json:"status"`
	Output   any                `json:"output"`
	Error    string             `json:"error"`
	Cause    string             `json:"cause"`
	Events   []asl.HistoryEvent `json:"events"`
	timeline []saga.Step
}

func runSingle(ctx context.Context, o *RunOptions, p *output.Printer) error {
	machine, name := o.machine()
	x, err := saga.RunOne(ctx, saga.OneOptions{Machine: machine, MachineName: name, Input: o.input, Faults: o.fakes, Seed: o.Seed, Virtual: o.Virtual, Mock: o.mock})
	if err != nil {
		return cmdutil.InputError(err)
	}
	status, out, errName, cause := x.Result()
	events := x.Events()
	rep := &singleReport{Name: x.Name, Status: string(status), Output: out, Error: errName, Cause: cause, Events: events, timeline: saga.Timeline(events)}
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
