package saga_test

import (
	"context"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

// Through the root command: bad input exits 2 with one line on standard
// error and nothing on standard output.
func TestSagaRunBadInputExitsTwo(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("YAFDP_CONFIG", "")
	for _, args := range [][]string{
		{"saga", "run", "--orders", "0"},
		{"saga", "run", "--fault", "payment.nope=1"},
		{"saga", "run", "--fault", "payment.decline=1.5"},
		{"saga", "run", "--input", "{"},
		{"saga", "run", "--definition", "/does/not/exist.json"},
		{"saga", "run", "--output", "xml"},
		{"saga", "validate"},
		{"saga", "validate", "/does/not/exist.json"},
		{"saga", "mock-config"},
		{"saga", "mock-config", "--definition", "/does/not/exist.json"},
		{"saga", "run", "--mock-config", "/does/not/exist.json"},
		{"saga", "send-task-success"},
		{"saga", "send-task-success", "tok"},
		{"saga", "send-task-success", "tok", "--task-output", "{"},
		{"saga", "send-task-failure", "tok", "--error", strings.Repeat("e", 300)},
		{"saga", "send-task-heartbeat", ""},
		{"saga", "redrive", "--state-machine", "order-saga", "--status", "RUNNING"},
		{"saga", "redrive", "--state-machine", "order-saga", "--since", "-2h"},
		{"saga", "redrive", "ord_1", "--state-machine", "order-saga", "--error", "Payment.Unavailable"},
		{"saga", "redrive", "not an order", "--state-machine", "order-saga"},
	} {
		ios, _, out, errOut := iostreams.Test()
		code := cli.Run(context.Background(), args, ios)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut)
			continue
		}
		if out.Len() != 0 {
			t.Errorf("%v: wrote to stdout on bad input: %q", args, out)
		}
		first := strings.SplitN(strings.TrimSpace(errOut.String()), "\n", 2)[0]
		if !strings.HasPrefix(first, "yafdp: ") {
			t.Errorf("%v: stderr %q", args, errOut)
		}
	}
}

func TestSagaRunExitCodes(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ios, _, out, _ := iostreams.Test()
	if code := cli.Run(context.Background(), []string{"saga", "run", "--orders", "20", "--virtual", "--fault", "payment.decline=0.5"}, ios); code != 0 {
		t.Fatalf("failed orders that were compensated are not an error: exit %d\n%s", code, out)
	}
	ios, _, _, _ = iostreams.Test()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := cli.Run(ctx, []string{"saga", "run", "--orders", "20", "--virtual"}, ios); code != 130 {
		t.Fatalf("interrupted run: exit %d, want 130", code)
	}
}
