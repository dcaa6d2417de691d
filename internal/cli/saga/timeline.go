package saga

import (
	"fmt"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/ui"
)

// renderExecutionTimeline writes an execution's timeline: a header with
// its status and duration, its error and cause, then one row per step with
// retries and their errors, compensations marked as such. `saga run`
// (one order) and `saga watch`/`describe` share it.
func renderExecutionTimeline(b *strings.Builder, s *ui.Styles, name, status, errName, cause string, steps []saga.Step) {
	shown := s.Success(status)
	switch status {
	case "SUCCEEDED":
	case "RUNNING", "PENDING_REDRIVE":
		shown = s.Warning(status)
	default:
		shown = s.Failure(status)
	}
	total := time.Duration(0)
	if n := len(steps); n > 0 {
		total = steps[n-1].End
	}
	label := "Execution"
	if strings.HasPrefix(name, "ord_") {
		label = "Order"
	}
	fmt.Fprintf(b, "%s %s · %s in %s\n", s.Header(label), name, shown, ui.Duration(total))
	if errName != "" {
		fmt.Fprintf(b, "  %s %s\n", s.Failure(errName), s.Muted(cause))
	}
	t := ui.Table{Align: []ui.Align{ui.AlignRight}}
	compensating := false
	for _, st := range steps {
		if st.Compensation && !compensating {
			compensating = true
			t.Rows = append(t.Rows, []string{"", "", s.Warning("↩ compensating"), "", ""})
		}
		icon := s.SuccessIcon()
		switch st.Outcome {
		case saga.OutcomeCaught:
			icon = s.WarningIcon()
		case saga.OutcomeFailed:
			icon = s.FailureIcon()
		case saga.OutcomeRunning:
			icon = s.Muted("…")
		}
		stepName := s.Step(st.State)
		if st.Compensation {
			stepName = s.Warning(st.State)
		}
		detail := ""
		if st.Attempts > 1 {
			detail = fmt.Sprintf("%d attempts", st.Attempts)
		}
		if len(st.Failures) > 0 {
			counts := map[string]int{}
			for _, f := range st.Failures {
				counts[f.Error]++
			}
			var parts []string
			for _, e := range ui.SortedByCount(counts) {
				parts = append(parts, fmt.Sprintf("%s ×%d", e, counts[e]))
			}
			if detail != "" {
				detail += ": "
			}
			detail += s.Warning(strings.Join(parts, ", "))
		}
		t.Rows = append(t.Rows, []string{s.Muted("+" + ui.Duration(st.Start)), icon, stepName, ui.Duration(st.End - st.Start), detail})
	}
	var tb strings.Builder
	_ = ui.RenderTable(&tb, t, s)
	for _, line := range strings.Split(strings.TrimRight(tb.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		b.WriteString("  " + line + "\n")
	}
}
