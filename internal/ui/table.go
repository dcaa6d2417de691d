package ui

import (
	"bytes"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Align is the alignment of a table column.
type Align int

// Column alignments; numbers read best right-aligned.
const (
	AlignLeft Align = iota
	AlignRight
)

// Table is a table to render: optional headers, rows of cells, and an
// alignment per column (missing entries are left-aligned).
type Table struct {
	Headers []string
	Rows    [][]string
	Align   []Align
}

// columnGap separates columns. Two spaces keep columns apart for the eye
// and for tools such as awk and cut alike.
const columnGap = "  "

// RenderTable writes t to w: no borders, columns separated by two spaces,
// upper-case headers, no cell wrapping and no trailing whitespace, so that
// piped output is stable and easy to parse. With colour-enabled styles the
// headers are highlighted; cells may already carry colour from the same
// styles, and alignment ignores their escape codes.
func RenderTable(w io.Writer, t Table, s *Styles) error {
	if s == nil {
		s = NewStyles(false)
	}
	cols := len(t.Headers)
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return nil
	}
	align := make([]tw.Align, cols)
	for i := range align {
		align[i] = tw.AlignLeft
		if i < len(t.Align) && t.Align[i] == AlignRight {
			align[i] = tw.AlignRight
		}
	}
	padding := tw.CellPadding{Global: tw.Padding{Left: "", Right: columnGap, Overwrite: true}}

	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.SeparatorsNone,
				Lines:      tw.LinesNone,
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft, PerColumn: align},
				Padding:    padding,
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft, PerColumn: align},
				Padding:    padding,
			},
		}),
	)
	if len(t.Headers) > 0 {
		headers := make([]string, cols)
		for i := range headers {
			if i < len(t.Headers) {
				headers[i] = s.Header(strings.ToUpper(t.Headers[i]))
			}
		}
		table.Header(headers)
	}
	for _, r := range t.Rows {
		row := make([]string, cols)
		copy(row, r)
		if err := table.Append(row); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	return writeTrimmed(w, buf.Bytes())
}

// writeTrimmed drops the padding tablewriter leaves at the end of each line.
func writeTrimmed(w io.Writer, b []byte) error {
	var out bytes.Buffer
	for line := range bytes.Lines(b) {
		out.Write(bytes.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := w.Write(out.Bytes())
	return err
}
