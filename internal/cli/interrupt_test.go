//go:build unix

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "YAFDP_TEST_INTERRUPT_HELPER"

// TestInterruptHelper is not a test: it is the process that
// TestInterrupts starts and signals.
func TestInterruptHelper(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process")
	}
	code := withInterrupts(os.Stderr, func(ctx context.Context) int {
		fmt.Println("ready")
		switch mode {
		case "drain":
			// A well-behaved command: stop on cancel, report, return.
			<-ctx.Done()
			fmt.Println("drained")
			return ExitCode(ctx.Err(), true)
		default:
			// A command stuck in its clean-up.
			select {}
		}
	})
	os.Exit(code)
}

func TestInterrupts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	tests := []struct {
		mode    string
		signals int
		sig     syscall.Signal
		wantOut string
	}{
		{mode: "drain", signals: 1, sig: syscall.SIGINT, wantOut: "drained"},
		{mode: "stuck", signals: 2, sig: syscall.SIGINT},
		// SIGTERM (kill, a container stopping) is a Ctrl-C.
		{mode: "drain", signals: 1, sig: syscall.SIGTERM, wantOut: "drained"},
		{mode: "stuck", signals: 2, sig: syscall.SIGTERM},
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/"+tt.sig.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestInterruptHelper$")
			cmd.Env = append(os.Environ(), helperEnv+"="+tt.mode)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			out := bufio.NewScanner(stdout)
			if !out.Scan() || out.Text() != "ready" {
				t.Fatalf("helper did not start: %q", out.Text())
			}
			errLines := bufio.NewScanner(stderr)
			for i := range tt.signals {
				if err := cmd.Process.Signal(tt.sig); err != nil {
					t.Fatal(err)
				}
				if i == 0 && tt.signals > 1 {
					// Wait for the notice, so the second signal comes
					// after the first one was handled. (A command that
					// stops at once may exit before the notice.)
					if !errLines.Scan() || !strings.Contains(errLines.Text(), "press Ctrl-C again") {
						t.Fatalf("no interrupt notice on stderr: %q", errLines.Text())
					}
				}
			}
			var rest strings.Builder
			for out.Scan() {
				rest.WriteString(out.Text() + "\n")
			}
			for errLines.Scan() {
			}
			err = cmd.Wait()
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != 130 {
				t.Fatalf("helper ended with %v, want exit status 130", err)
			}
			if !strings.Contains(rest.String(), tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", rest.String(), tt.wantOut)
			}
		})
	}
}
