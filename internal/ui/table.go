package ui

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

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
	var headers []string
	if len(t.Headers) > 0 {
		headers = make([]string, cols)
		for i := range headers {
			if i < len(t.Headers) {
				headers[i] = strings.ToUpper(t.Headers[i])
			}
		}
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, cols)
		copy(rows[i], r)
	}
	if s.width > 0 {
		fitWidth(headers, rows, cols, s.width)
	}
	if headers != nil {
		for i := range headers {
			headers[i] = s.Header(headers[i])
		}
		table.Header(headers)
	}
	for _, row := range rows {
		if err := table.Append(row); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	return writeTrimmed(w, buf.Bytes())
}

// Narrowest a column gets when a table is fitted to the terminal: the last
// column wraps, down to minWrapped; the others are cut with an ellipsis,
// down to minCut.
const (
	minWrapped = 20
	minCut     = 8
)

// fitWidth makes the lines of a table at most width columns wide, where it
// can: the last column (values, reasons, bodies: the longest text) wraps
// at spaces, then the widest of the others are cut with an ellipsis.
func fitWidth(headers []string, rows [][]string, cols, width int) {
	w := make([]int, cols)
	measure := func(r []string) {
		for i, c := range r {
			for _, line := range strings.Split(c, "\n") {
				w[i] = max(w[i], ansi.StringWidth(line))
			}
		}
	}
	measure(headers)
	for _, r := range rows {
		measure(r)
	}
	over := -width
	for _, n := range w {
		over += n
	}
	over += len(columnGap) * (cols - 1)
	if over <= 0 {
		return
	}
	last := cols - 1
	if cut := min(over, w[last]-minWrapped); cut > 0 {
		w[last] -= cut
		over -= cut
	}
	for over > 0 {
		widest := -1
		for i := range last {
			if w[i] > minCut && (widest < 0 || w[i] > w[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		w[widest]--
		over--
	}
	fitCell := func(i int, c string) string {
		if ansi.StringWidth(c) <= w[i] && !strings.Contains(c, "\n") {
			return c
		}
		if i == last {
			return ansi.Wrap(c, w[i], " ")
		}
		return ansi.Truncate(c, w[i], "…")
	}
	for i := range headers {
		headers[i] = fitCell(i, headers[i])
	}
	for _, r := range rows {
		for i := range r {
			r[i] = fitCell(i, r[i])
		}
	}
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
