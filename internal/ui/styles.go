package ui

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Tone is the meaning a piece of text carries, which decides its colour.
type Tone int

// Tones a command can give a piece of text.
const (
	ToneNone    Tone = iota
	ToneSuccess      // a step or saga that succeeded
	ToneFailure      // a step or saga that failed
	ToneWarning      // retries, throttling, compensations
	ToneMuted        // secondary detail: ids, timestamps
	ToneHeader       // table headers and field labels
	ToneStep         // names of saga steps and states
)

// Styles are the lipgloss styles every command uses, declared once here so
// that the look stays consistent. Build them with NewStyles for the stream
// they will be written to; without colour every method returns its input
// unchanged, so piped output stays plain.
type Styles struct {
	enabled bool
	tones   map[Tone]lipgloss.Style
	// width is the terminal's: tables fit in it. 0 when the stream is
	// not a terminal: tables keep their full width, for tools.
	width int
}

// SetWidth makes tables fit in width columns (0: no limit).
func (s *Styles) SetWidth(width int) *Styles {
	s.width = max(width, 0)
	return s
}

// NewStyles returns the styles for a stream. Pass IOStreams.ColorEnabled()
// for standard output and IOStreams.ErrColorEnabled() for standard error.
func NewStyles(colorEnabled bool) *Styles {
	s := &Styles{enabled: colorEnabled}
	if !colorEnabled {
		return s
	}
	// The 16 basic ANSI colours follow the user's terminal theme, which
	// keeps the output readable on light and dark backgrounds alike.
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	base := r.NewStyle().TabWidth(lipgloss.NoTabConversion)
	s.tones = map[Tone]lipgloss.Style{
		ToneSuccess: base.Foreground(lipgloss.Color("2")),
		ToneFailure: base.Foreground(lipgloss.Color("1")).Bold(true),
		ToneWarning: base.Foreground(lipgloss.Color("3")),
		ToneMuted:   base.Foreground(lipgloss.Color("8")),
		ToneHeader:  base.Bold(true),
		ToneStep:    base.Foreground(lipgloss.Color("6")),
	}
	return s
}

// Enabled reports whether these styles add colour.
func (s *Styles) Enabled() bool { return s.enabled }

// Render shows text in the given tone.
func (s *Styles) Render(t Tone, text string) string {
	if !s.enabled || text == "" {
		return text
	}
	style, ok := s.tones[t]
	if !ok {
		return text
	}
	return style.Render(text)
}

// Success shows text as a success.
func (s *Styles) Success(text string) string { return s.Render(ToneSuccess, text) }

// Failure shows text as a failure.
func (s *Styles) Failure(text string) string { return s.Render(ToneFailure, text) }

// Warning shows text as a warning.
func (s *Styles) Warning(text string) string { return s.Render(ToneWarning, text) }

// Muted shows text as secondary detail.
func (s *Styles) Muted(text string) string { return s.Render(ToneMuted, text) }

// Header shows text as a table header or field label.
func (s *Styles) Header(text string) string { return s.Render(ToneHeader, text) }

// Step shows text as the name of a saga step or state.
func (s *Styles) Step(text string) string { return s.Render(ToneStep, text) }

// SuccessIcon is a check mark in the success colour.
func (s *Styles) SuccessIcon() string { return s.Success("✓") }

// FailureIcon is a cross in the failure colour.
func (s *Styles) FailureIcon() string { return s.Failure("✗") }

// WarningIcon is an exclamation mark in the warning colour.
func (s *Styles) WarningIcon() string { return s.Warning("!") }

// Headline is a report's opening line, "Label: text", wrapped at spaces to
// the terminal's width with the lines after the first indented; piped, it
// stays one line.
func (s *Styles) Headline(label, text string) string {
	line := s.Header(label) + " " + text
	if s.width <= 0 || ansi.StringWidth(line) <= s.width {
		return line + "\n"
	}
	const indent = "  "
	wrapped := ansi.Wrap(line, s.width-len(indent), " ")
	return strings.ReplaceAll(wrapped, "\n", "\n"+indent) + "\n"
}
