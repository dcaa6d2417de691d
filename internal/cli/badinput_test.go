package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

// The same mistake gets the same answer: one line naming the flag, exit 2,
// nothing sent. An empty value is a mistake, not a request for the
// default; a region that cannot be one is bad input, not a failed call.
func TestBadInputIsConsistent(t *testing.T) {
	isolate(t)
	awsEnv(t)
	down := closedPort(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--env", "", "dlq", "list"}, "--env: the value is empty"},
		{[]string{"order", "submit", "--generate", "1", "--queue", ""}, "--queue: the value is empty"},
		{[]string{"dlq", "peek", "--queue", ""}, "--queue: the value is empty"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--to", ""}, "--to: the value is empty"},
		{[]string{"--region", "bogus!", "dlq", "list"}, `invalid region "bogus!" (from --region)`},
		{[]string{"--endpoint-url", down, "--region", "eu west 1", "dlq", "list"}, `invalid region "eu west 1"`},
	} {
		code, _, stderr := run(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

// Help shows the defaults a run uses, once: not the zero values the flags
// start from ("(default 1h) (default 0s)", "--start-rate (default 0/s)"
// while runs used 300/s).
func TestSimulateHelpShowsTheDefaultsRunsUse(t *testing.T) {
	isolate(t)
	_, out, _ := run(t, "simulate", "--help")
	for _, bad := range []string{"(default 0s)", "(default 0/s)", "(default 1h) (default"} {
		if strings.Contains(out, bad) {
			t.Errorf("help shows %q", bad)
		}
	}
	for _, want := range []string{"remain (default 1h)", "as your account is) (default 300/s)", "(0: none) (default none)"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// On an 80-column terminal, simulate's report fits (its Settings line was
// 198 columns); piped, it keeps its full width.
func TestSimulateReportFitsTheTerminal(t *testing.T) {
	isolate(t)
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetTerminalWidth(80)
	if code := Run(context.Background(), []string{"simulate", "--rate", "50/s", "--duration", "5s"}, ios); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if w := ansi.StringWidth(line); w > 80 {
			t.Errorf("a line of %d columns: %q", w, line)
		}
	}
	_, piped, _ := run(t, "simulate", "--rate", "50/s", "--duration", "5s")
	widest := 0
	for _, line := range strings.Split(piped, "\n") {
		widest = max(widest, ansi.StringWidth(line))
	}
	if widest <= 80 {
		t.Errorf("piped, the widest line is %d columns: was it cut?", widest)
	}
}
