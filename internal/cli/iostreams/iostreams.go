package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams holds the standard streams of one invocation.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool

	// noColorEnv records NO_COLOR (https://no-color.org) or TERM=dumb.
	noColorEnv bool
	// colorDisabled records --no-color or no_color from the config.
	colorDisabled bool

	termWidth func() int
}

// System returns the streams of the running process.
func System() *IOStreams {
	return &IOStreams{
		In:         os.Stdin,
		Out:        os.Stdout,
		ErrOut:     os.Stderr,
		stdinTTY:   isTerminal(os.Stdin),
		stdoutTTY:  isTerminal(os.Stdout),
		stderrTTY:  isTerminal(os.Stderr),
		noColorEnv: colorDisabledByEnv(os.Getenv),
		termWidth: func() int {
			if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
				return w
			}
			return 0
		},
	}
}

// Test returns streams backed by buffers; none of them is a terminal, so
// colour is off. Use the setters to pretend otherwise.
func Test() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

func colorDisabledByEnv(getenv func(string) string) bool {
	return getenv("NO_COLOR") != "" || getenv("TERM") == "dumb"
}

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY overrides terminal detection for standard input.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY overrides terminal detection for standard output.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides terminal detection for standard error.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// ColorEnabled reports whether output to Out may be coloured: Out is a
// terminal, NO_COLOR is unset and colour was not turned off by flag or
// config.
func (s *IOStreams) ColorEnabled() bool {
	return s.stdoutTTY && s.colorAllowed()
}

// ErrColorEnabled is ColorEnabled for ErrOut, where status and progress go.
func (s *IOStreams) ErrColorEnabled() bool {
	return s.stderrTTY && s.colorAllowed()
}

func (s *IOStreams) colorAllowed() bool {
	return !s.noColorEnv && !s.colorDisabled
}

// DisableColor turns colour off for the rest of the invocation (--no-color).
func (s *IOStreams) DisableColor() { s.colorDisabled = true }

// SetNoColorEnv records whether the environment asked for no colour; tests
// use it, System reads NO_COLOR itself.
func (s *IOStreams) SetNoColorEnv(v bool) { s.noColorEnv = v }

// CanRedraw reports whether live redraws (spinners, progress bars) may be
// drawn on ErrOut.
func (s *IOStreams) CanRedraw() bool { return s.stderrTTY }

// TerminalWidth returns the width of the terminal on Out, or 80 when it is
// not a terminal or the width is unknown.
func (s *IOStreams) TerminalWidth() int {
	if s.termWidth != nil {
		if w := s.termWidth(); w > 0 {
			return w
		}
	}
	return 80
}

// SetTerminalWidth fixes the width that TerminalWidth reports.
func (s *IOStreams) SetTerminalWidth(w int) { s.termWidth = func() int { return w } }
