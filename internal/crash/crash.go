package crash

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/build"
)

// ExitCode is the exit status after a recovered panic (EX_SOFTWARE).
const ExitCode = 70

// monitorEnv starts the executable as the crash monitor; its value is the
// file the report goes to.
const monitorEnv = "YAFDP_CRASH_MONITOR"

// IsMonitor reports whether this process was started as the crash monitor.
func IsMonitor() bool { return os.Getenv(monitorEnv) != "" }

// Dir is where crash reports go: $XDG_STATE_HOME/yafdp/crash, or
// ~/.local/state/yafdp/crash, or the temporary directory.
func Dir() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil && home != "" {
			dir = filepath.Join(home, ".local", "state")
		} else {
			dir = os.TempDir()
		}
	}
	return filepath.Join(dir, "yafdp", "crash")
}

// reportPath names a new report.
func reportPath(now time.Time, pid int) string {
	return filepath.Join(Dir(), fmt.Sprintf("crash-%s-%d.txt", now.UTC().Format("20060102T150405Z"), pid))
}

// header starts every report.
func header() string {
	return fmt.Sprintf("yafdp %s (commit %s, built %s) %s/%s %s\n\n", build.Version, build.Commit, build.Date, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// line is what the user sees: what happened, in one line, and where the
// report is.
func line(app, what, path string) string {
	what = strings.TrimSpace(what)
	if len(what) > 200 {
		what = what[:200] + "…"
	}
	where := "the full report is in " + path
	if path == "" {
		where = "the report could not be written"
	}
	return fmt.Sprintf("%s: internal error (a bug in %s): %s; %s; please send it to the maintainers\n", app, app, what, where)
}

// writeReport writes a report to a new file and returns its name, or ""
// when it could not be written.
func writeReport(body string) string {
	path := reportPath(time.Now(), os.Getpid())
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return ""
	}
	if err := os.WriteFile(path, []byte(header()+body), 0o600); err != nil {
		return ""
	}
	return path
}

// Recover turns a panic on the calling goroutine into one line on errOut
// and a report file, and sets *code to ExitCode. Use it deferred, first
// thing in main's function:
//
//	defer crash.Recover("yafdp", os.Stderr, &code)
func Recover(app string, errOut io.Writer, code *int) {
	r := recover()
	if r == nil {
		return
	}
	what := fmt.Sprint(r)
	path := writeReport(fmt.Sprintf("panic: %s\n\n%s", what, debug.Stack()))
	fmt.Fprint(errOut, line(app, "panic: "+what, path))
	*code = ExitCode
}

// RunMonitor is the monitor process: it reads the crash output of its
// parent from standard input until the parent exits. Nothing read means no
// crash: it exits at once without a word. Otherwise it writes the report
// and one line on standard error as soon as it knows what happened.
func RunMonitor(app string) int {
	// Ctrl-C and SIGTERM reach the whole process group; the monitor stays
	// until its parent has gone.
	ignoreSignals()
	in := bufio.NewReader(os.Stdin)
	first, err := in.ReadString('\n')
	if first == "" && err != nil {
		return 0
	}
	path := os.Getenv(monitorEnv)
	var f *os.File
	if path != "" && os.MkdirAll(filepath.Dir(path), 0o700) == nil {
		f, _ = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if f == nil {
		path = ""
	}
	fmt.Fprint(os.Stderr, line(app, what(first, in), path))
	if f != nil {
		fmt.Fprint(f, header())
		fmt.Fprint(f, first)
		_, _ = io.Copy(f, in)
		_ = f.Close()
	} else {
		_, _ = io.Copy(io.Discard, in)
	}
	return 0
}

// what is the first line of the runtime's crash output that says what
// happened: "panic: ..." or "fatal error: ...". A bare "panic: " line is
// followed by the value on the next line.
func what(first string, in *bufio.Reader) string {
	first = strings.TrimRight(first, "\n")
	if strings.TrimSpace(first) == "" {
		next, _ := in.Peek(256)
		first, _, _ = strings.Cut(string(next), "\n")
	}
	return first
}
