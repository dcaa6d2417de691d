package ui

import (
	"io"
	"sort"
)

// Facts is a table of labelled values, one "Label  value" row each, as
// reports end with.
type Facts struct {
	s *Styles
	t Table
}

// NewFacts starts a table of facts rendered with s.
func NewFacts(s *Styles) *Facts { return &Facts{s: s} }

// Add adds a row: the label highlighted, then the value.
func (f *Facts) Add(label, value string) {
	f.t.Rows = append(f.t.Rows, []string{f.s.Header(label), value})
}

// AddIf adds a row when the value is not empty.
func (f *Facts) AddIf(label, value string) {
	if value != "" {
		f.Add(label, value)
	}
}

// Render writes the table.
func (f *Facts) Render(w io.Writer) error { return RenderTable(w, f.t, f.s) }

// Shares is a table of counts with their share of a total: what a run's
// orders came to.
type Shares struct {
	s     *Styles
	total int64
	t     Table
}

// NewShares starts a table of counts out of total under the headers of its
// label, count and share columns.
func NewShares(s *Styles, total int64, label, count, share string) *Shares {
	return &Shares{s: s, total: total, t: Table{Headers: []string{label, count, share}, Align: []Align{AlignLeft, AlignRight, AlignRight}}}
}

// Add adds a row for n, in the tone's colour; a zero count is left out
// unless always.
func (t *Shares) Add(label string, n int64, tone Tone, always bool) {
	if n == 0 && !always {
		return
	}
	share := "-"
	if t.total != 0 {
		share = Percent(float64(n) / float64(t.total))
	}
	t.t.Rows = append(t.t.Rows, []string{t.s.Render(tone, label), Count(n), share})
}

// Render writes the table.
func (t *Shares) Render(w io.Writer) error { return RenderTable(w, t.t, t.s) }

// RenderCounts writes counts by name, largest first (names in order when
// equal), under the headers name and count.
func RenderCounts[V int | int64](w io.Writer, s *Styles, name, count string, m map[string]V) error {
	t := Table{Headers: []string{name, count}, Align: []Align{AlignLeft, AlignRight}}
	for _, k := range SortedByCount(m) {
		t.Rows = append(t.Rows, []string{k, Count(int64(m[k]))})
	}
	return RenderTable(w, t, s)
}

// SortedByCount returns the keys of m, largest count first, names in
// order when counts are equal.
func SortedByCount[V int | int64](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
