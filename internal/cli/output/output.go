package output

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/ui"
)

// Format is an output format, the value of --output.
type Format string

// The output formats.
const (
	// Table renders aligned columns for people.
	Table Format = "table"
	// JSON renders one indented JSON document: an array for lists, an
	// object for a single record.
	JSON Format = "json"
	// JSONL renders one compact JSON object per line as records arrive.
	JSONL Format = "jsonl"
)

// Formats lists the valid formats in the order help text shows them.
var Formats = []Format{Table, JSON, JSONL}

// FormatNames returns Formats as strings.
func FormatNames() []string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return names
}

// ParseFormat checks that s names an output format.
func ParseFormat(s string) (Format, error) {
	if slices.Contains(Formats, Format(s)) {
		return Format(s), nil
	}
	return "", fmt.Errorf("must be one of %s", strings.Join(FormatNames(), ", "))
}

// FormatValue is the pflag.Value behind --output: it rejects an unknown
// format while flags are parsed, so the error names the flag.
type FormatValue struct{ f *Format }

// NewFormatValue returns a flag value that stores into f, which it sets to
// def.
func NewFormatValue(f *Format, def Format) *FormatValue {
	*f = def
	return &FormatValue{f: f}
}

// String returns the current format.
func (v *FormatValue) String() string { return string(*v.f) }

// Set parses and stores a format.
func (v *FormatValue) Set(s string) error {
	f, err := ParseFormat(s)
	if err != nil {
		return err
	}
	*v.f = f
	return nil
}

// Type names the value in help text.
func (v *FormatValue) Type() string { return "format" }

// Printer renders records in one format to standard output.
type Printer struct {
	out    io.Writer
	format Format
	styles *ui.Styles
}

// New returns a printer writing to ios.Out in format f. Table output is
// coloured only when ios allows colour on standard output.
func New(ios *iostreams.IOStreams, f Format) *Printer {
	styles := ui.NewStyles(ios.ColorEnabled())
	if ios.IsStdoutTTY() {
		// On a terminal tables fit its width; piped, they keep theirs.
		styles.SetWidth(ios.TerminalWidth())
	}
	return &Printer{out: ios.Out, format: f, styles: styles}
}

// Format returns the printer's format.
func (p *Printer) Format() Format { return p.format }

// Styles returns the styles for standard output, plain when colour is off.
func (p *Printer) Styles() *ui.Styles { return p.styles }

// Column describes one table column of records of type T.
type Column[T any] struct {
	// Header names the column. List tables show it in upper case; the
	// table form of a single record uses it as the field label.
	Header string
	// Value returns the cell text for a record.
	Value func(T) string
	// Align is the column alignment; numbers read best right-aligned.
	Align ui.Align
	// Tone, if set, gives the cell a meaning that decides its colour.
	Tone func(T) ui.Tone
}

func (c Column[T]) cell(s *ui.Styles, rec T) string {
	v := c.Value(rec)
	if c.Tone != nil {
		v = s.Render(c.Tone(rec), v)
	}
	return v
}

// List renders a sequence of records. JSON Lines are written as they are
// added; a table and a JSON array need every record and are written by
// Close. Call Close also after an interruption, so that what was gathered is
// still shown.
type List[T any] struct {
	p       *Printer
	cols    []Column[T]
	records []T
	n       int
	closed  bool
}

// NewList starts a list of records of type T with the given table columns.
func NewList[T any](p *Printer, cols ...Column[T]) *List[T] {
	return &List[T]{p: p, cols: cols}
}

// Add renders or buffers one record.
func (l *List[T]) Add(rec T) error {
	if l.closed {
		return fmt.Errorf("output: Add after Close")
	}
	l.n++
	if l.p.format == JSONL {
		return writeJSON(l.p.out, rec, false)
	}
	l.records = append(l.records, rec)
	return nil
}

// Len returns the number of records added so far.
func (l *List[T]) Len() int { return l.n }

// Close writes what Add buffered: the table (nothing at all when there are
// no records, so a command can say so on standard error) or the JSON array
// ("[]" when there are no records).
func (l *List[T]) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	switch l.p.format {
	case JSONL:
		return nil
	case JSON:
		recs := l.records
		if recs == nil {
			recs = []T{}
		}
		return writeJSON(l.p.out, recs, true)
	default:
		if len(l.records) == 0 {
			return nil
		}
		t := ui.Table{Headers: make([]string, len(l.cols)), Align: make([]ui.Align, len(l.cols))}
		for i, c := range l.cols {
			t.Headers[i] = c.Header
			t.Align[i] = c.Align
		}
		for _, rec := range l.records {
			row := make([]string, len(l.cols))
			for i, c := range l.cols {
				row[i] = c.cell(l.p.styles, rec)
			}
			t.Rows = append(t.Rows, row)
		}
		return ui.RenderTable(l.p.out, t, l.p.styles)
	}
}

// PrintItem renders a single record: an indented JSON object, one JSON
// line, or for people one "Label  value" row per column.
func PrintItem[T any](p *Printer, rec T, cols ...Column[T]) error {
	return PrintWith(p, rec, func(w io.Writer, s *ui.Styles) error {
		t := ui.Table{}
		for _, c := range cols {
			t.Rows = append(t.Rows, []string{s.Header(c.Header), c.cell(s, rec)})
		}
		return ui.RenderTable(w, t, s)
	})
}

// PrintList renders records as a List does, all at once.
func PrintList[T any](p *Printer, records []T, cols ...Column[T]) error {
	l := NewList(p, cols...)
	for _, r := range records {
		if err := l.Add(r); err != nil {
			return err
		}
	}
	return l.Close()
}

// JSONWriter is a record that writes its own JSON: the bytes writeJSON's
// encoder would write for it, without holding them all in memory at once
// (a simulation report's series of a day is tens of megabytes).
type JSONWriter interface {
	WriteJSON(w io.Writer, indent bool) error
}

func writeJSON(w io.Writer, v any, indent bool) error {
	if jw, ok := v.(JSONWriter); ok {
		return jw.WriteJSON(w, indent)
	}
	enc := json.NewEncoder(w)
	// Queue URLs and ARNs read better without \u0026 escapes.
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// PrintWith renders one record whose human form is more than label/value
// rows (a summary with several tables, a timeline): JSON and JSON Lines
// write rec as usual, the table format calls human with standard output
// and its styles.
func PrintWith[T any](p *Printer, rec T, human func(w io.Writer, s *ui.Styles) error) error {
	switch p.format {
	case JSON:
		return writeJSON(p.out, rec, true)
	case JSONL:
		return writeJSON(p.out, rec, false)
	default:
		return human(p.out, p.styles)
	}
}
