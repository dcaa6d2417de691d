//go:build unix

package crash

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// Start starts the monitor and moves the runtime's standard error (file
// descriptor 2) onto the pipe it reads; os.Stderr becomes a copy of the
// original descriptor, so everything yafdp prints itself still goes where
// it went. Call it before anything captures os.Stderr. It does nothing
// when GOTRACEBACK or GODEBUG is set, or when the monitor cannot start.
func Start() {
	if os.Getenv("GOTRACEBACK") != "" || os.Getenv("GODEBUG") != "" || IsMonitor() {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		return
	}
	defer r.Close()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), monitorEnv+"="+reportPath(time.Now(), os.Getpid()))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, nil, os.Stderr
	if err := cmd.Start(); err != nil {
		w.Close()
		return
	}
	// The monitor lives on its own; nobody waits for it.
	_ = cmd.Process.Release()
	stderr, err := syscall.Dup(2)
	if err != nil {
		w.Close()
		return
	}
	syscall.CloseOnExec(stderr)
	if err := dup2(int(w.Fd()), 2); err != nil {
		syscall.Close(stderr)
		w.Close()
		return
	}
	w.Close() // descriptor 2 holds the pipe now
	os.Stderr = os.NewFile(uintptr(stderr), "/dev/stderr")
}

func ignoreSignals() {
	signal.Ignore(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
}
