package crash

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

const childEnv = "YAFDP_CRASH_TEST_CHILD"

// TestMain plays the parts the tests start as processes: the monitor, and
// a program that crashes.
func TestMain(m *testing.M) {
	if IsMonitor() {
		os.Exit(RunMonitor("yafdp"))
	}
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "main":
		os.Exit(crashingMain(func() { panic("boom on the main goroutine") }))
	case "goroutine":
		os.Exit(crashingMain(func() {
			go func() { panic("boom on another goroutine") }()
			time.Sleep(time.Minute)
		}))
	case "fine":
		os.Exit(crashingMain(func() { os.Stderr.WriteString("status line\n") }))
	}
}

// crashingMain is main as yafdp's is, running work.
func crashingMain(work func()) (code int) {
	Start()
	defer Recover("yafdp", os.Stderr, &code)
	work()
	return 0
}

// runChild runs this test binary as a program that does what mode says,
// and returns its exit code, its standard error and the state directory.
func runChild(t *testing.T, mode string) (int, string, string) {
	t.Helper()
	state := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "XDG_STATE_HOME="+state, "GOTRACEBACK=", "GODEBUG=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stderr.String(), state
}

var oneLine = regexp.MustCompile(`^yafdp: internal error \(a bug in yafdp\): (panic|fatal error): [^\n]*; the full report is in (\S+); please send it to the maintainers\n$`)

// No Go crash dump reaches the user: a panic anywhere prints one line that
// says where the full report went, and the report holds the stacks.
func TestCrashPrintsOneLineAndWritesTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, tt := range []struct {
		mode     string
		code     int
		inReport string
	}{
		{"main", ExitCode, "boom on the main goroutine"},
		{"goroutine", 2, "goroutine "},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			if tt.mode == "goroutine" && runtime.GOOS == "windows" {
				t.Skip("no monitor on Windows")
			}
			code, stderr, state := runChild(t, tt.mode)
			// The monitor may print after the program has exited: wait for
			// its line.
			m := oneLine.FindStringSubmatch(stderr)
			if code != tt.code || m == nil {
				t.Fatalf("exit %d (want %d), stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.HasPrefix(m[2], state) {
				t.Errorf("report %s is not under XDG_STATE_HOME %s", m[2], state)
			}
			report := waitForFile(t, m[2], tt.inReport)
			if !strings.Contains(report, "yafdp ") || !strings.Contains(report, "boom on") {
				t.Errorf("report:\n%s", report)
			}
		})
	}
}

// A run that does not crash prints what it prints, and nothing more.
func TestNoCrashNoWord(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	code, stderr, state := runChild(t, "fine")
	if code != 0 || stderr != "status line\n" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if entries, _ := os.ReadDir(state); len(entries) != 0 {
		t.Errorf("a report was written: %v", entries)
	}
}

// waitForFile waits for the monitor to finish the report.
func waitForFile(t *testing.T, path, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) || time.Now().After(deadline) {
			return string(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
