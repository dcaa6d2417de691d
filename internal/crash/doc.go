// Package crash keeps Go's crash dumps away from the people who run yafdp.
// A panic or a fatal runtime error (out of memory, say) makes the Go
// runtime print a dump of every goroutine on standard error and exit: a
// screenful that means nothing to an operator and buries what they were
// doing. Instead, yafdp prints one line that says it crashed and where the
// full report went, and the report goes to a file
// ($XDG_STATE_HOME/yafdp/crash/, ~/.local/state/yafdp/crash/ by default)
// for the maintainers.
//
// A panic on the main goroutine is recovered (Recover). The runtime's own
// crash output cannot be recovered from, so on Unix Start points the
// process's file descriptor 2 at a pipe read by a small monitor process (the
// same executable, started with YAFDP_CRASH_MONITOR=1) and gives the rest
// of the program standard error through a copy of the descriptor. The
// monitor exits silently when the pipe closes empty, which is every run but
// a crash. Setting GOTRACEBACK or GODEBUG (someone debugging the runtime)
// leaves standard error as it is.
//
// It imports nothing of yafdp but build.
package crash
