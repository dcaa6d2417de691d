package ui

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	goldenfile "github.com/yafdp/yafdp/internal/golden"

	"github.com/google/go-cmp/cmp"
)

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

var sampleTable = Table{
	Headers: []string{"Execution", "Status", "Retries", "Duration"},
	Rows: [][]string{
		{"ord_01HZX3", "SUCCEEDED", "0", "1.2s"},
		{"ord_01HZX4", "FAILED", "12", "2m05s"},
		{"ord_01HZX5-with-a-long-name", "RUNNING", "3", "42s"},
		{"ord_01HZX6", "", "", ""},
	},
	Align: []Align{AlignLeft, AlignLeft, AlignRight, AlignRight},
}

func TestRenderTableGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderTable(&buf, sampleTable, NewStyles(false)); err != nil {
		t.Fatal(err)
	}
	golden(t, "table.golden", buf.Bytes())
}

func TestRenderTableNoHeader(t *testing.T) {
	var buf bytes.Buffer
	err := RenderTable(&buf, Table{Rows: [][]string{{"Version", "dev"}, {"Go", "go1.26"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "Version  dev\nGo       go1.26\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestRenderTableEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderTable(&buf, Table{}, nil); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("empty table rendered %q", buf.String())
	}
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestRenderTableColourKeepsAlignment(t *testing.T) {
	s := NewStyles(true)
	coloured := sampleTable
	coloured.Rows = [][]string{
		{"ord_01HZX3", s.Success("SUCCEEDED"), "0", "1.2s"},
		{"ord_01HZX4", s.Failure("FAILED"), "12", "2m05s"},
		{"ord_01HZX5-with-a-long-name", s.Warning("RUNNING"), "3", "42s"},
		{"ord_01HZX6", "", "", ""},
	}
	var plain, colour bytes.Buffer
	if err := RenderTable(&plain, sampleTable, NewStyles(false)); err != nil {
		t.Fatal(err)
	}
	if err := RenderTable(&colour, coloured, s); err != nil {
		t.Fatal(err)
	}
	if !ansiEscape.Match(colour.Bytes()) {
		t.Fatal("coloured table has no escape codes")
	}
	stripped := strings.TrimRight(ansiEscape.ReplaceAllString(colour.String(), ""), "\n")
	var lines []string
	for _, l := range strings.Split(stripped, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	if diff := cmp.Diff(plain.String(), strings.Join(lines, "\n")+"\n"); diff != "" {
		t.Errorf("coloured table differs from plain once escapes are removed (-plain +coloured):\n%s", diff)
	}
}

func TestStylesWithoutColourArePlain(t *testing.T) {
	s := NewStyles(false)
	for _, got := range []string{s.Success("ok"), s.Failure("ok"), s.Warning("ok"), s.Muted("ok"), s.Header("ok"), s.Step("ok")} {
		if got != "ok" {
			t.Errorf("plain style rendered %q", got)
		}
	}
	if s.Render(ToneSuccess, "a\tb") != "a\tb" {
		t.Error("plain style changed a tab")
	}
}

func TestStylesWithColour(t *testing.T) {
	s := NewStyles(true)
	if got := s.Success("ok"); !strings.Contains(got, "\x1b[") || !strings.Contains(got, "ok") {
		t.Errorf("Success() = %q, want ANSI colour", got)
	}
	if got := s.Render(ToneNone, "ok"); got != "ok" {
		t.Errorf("ToneNone rendered %q", got)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{500 * time.Microsecond, "500µs"},
		{850 * time.Millisecond, "850ms"},
		{1234 * time.Millisecond, "1.2s"},
		{42 * time.Second, "42s"},
		{125 * time.Second, "2m05s"},
		{62 * time.Minute, "1h02m"},
		{76 * time.Hour, "3d04h"},
		{-2 * time.Second, "-2s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for in, want := range map[float64]string{0: "0.0%", 0.125: "12.5%", 1: "100.0%", 0.99999: "100.0%"} {
		if got := Percent(in); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Count(in); got != want {
			t.Errorf("Count(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]float64{0, 1, 2, 3, 4, 5, 6, 7}, 8); got != "▁▂▃▄▅▆▇█" {
		t.Errorf("ramp: %q", got)
	}
	if got := Sparkline([]float64{5, 5, 5}, 10); got != "▁▁▁" {
		t.Errorf("flat, wider than the data: %q", got)
	}
	// Each character shows the largest value of its bucket, so a one-second
	// spike in a long series is never averaged away.
	vals := make([]float64, 1000)
	vals[500] = 9
	if got := Sparkline(vals, 10); got != "▁▁▁▁▁█▁▁▁▁" {
		t.Errorf("spike: %q", got)
	}
	if Sparkline(nil, 10) != "" {
		t.Error("empty series")
	}
}

func TestChartsRender(t *testing.T) {
	c := []Chart{{Title: "Queue", XLabel: "s", X: []float64{0, 1, 2}, Series: []ChartSeries{{Name: "depth", Values: []float64{1, 5, 2}}}}}
	var html, png bytes.Buffer
	if err := WriteHTML(&html, "t", c); err != nil || !strings.Contains(html.String(), "echarts") {
		t.Fatalf("html: %v", err)
	}
	if err := WritePNG(&png, c); err != nil || !bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")) {
		t.Fatalf("png: %v", err)
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{{1, "order", "1 order"}, {0, "order", "0 orders"}, {2000, "order", "2,000 orders"}, {3, "retry", "3 retries"}, {1, "retry", "1 retry"}} {
		if got := Plural(c.n, c.noun); got != c.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

// The HTML report carries its chart library: it opens offline, and loads
// nothing from the network.
func TestHTMLReportEmbedsItsChartLibrary(t *testing.T) {
	var buf bytes.Buffer
	err := WriteHTML(&buf, "t", []Chart{{Title: "Orders", X: []float64{0, 1}, Series: []ChartSeries{{Name: "accepted", Values: []float64{1, 2}}}}})
	if err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<script src=") || strings.Contains(page, "<link") {
		t.Fatal("the page loads an asset from elsewhere")
	}
	if !strings.Contains(page, "Apache ECharts 5.6.0") || !bytes.Contains(buf.Bytes(), echartsJS) || len(echartsJS) < 500_000 {
		t.Fatal("the page does not inline ECharts")
	}
}

// A progress bar never shows more than its total.
func TestProgressStopsAtItsTotal(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, 120, "simulated seconds")
	p.Set(230)
	if got := buf.String(); !strings.Contains(got, "120/120") || !strings.Contains(got, "100") || strings.Contains(got, "230") {
		t.Fatalf("%q", got)
	}
}

// On a terminal a table fits its width: the last column wraps at spaces,
// the others are cut with an ellipsis. Piped, it keeps its full width.
func TestRenderTableFitsTheTerminal(t *testing.T) {
	long := strings.Repeat("settings word ", 14)
	tbl := Table{Headers: []string{"Message ID", "Receives", "Body"}, Rows: [][]string{
		{"4f1c2d7e-0a9b-4c1d-8e2f-3a4b5c6d7e8f", "3", long},
		{"short", "1", "{}"},
	}}
	for _, colour := range []bool{false, true} {
		var buf bytes.Buffer
		if err := RenderTable(&buf, tbl, NewStyles(colour).SetWidth(60)); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
			if w := len([]rune(ansiEscape.ReplaceAllString(line, ""))); w > 60 {
				t.Errorf("colour %v: a line of %d columns: %q", colour, w, line)
			}
		}
		plain := ansiEscape.ReplaceAllString(buf.String(), "")
		if strings.Count(plain, "settings") != 14 {
			t.Errorf("the wrapped column lost words:\n%s", plain)
		}
	}
	var buf bytes.Buffer
	if err := RenderTable(&buf, tbl, NewStyles(false)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), strings.TrimSpace(long)) || strings.Contains(buf.String(), "…") {
		t.Errorf("piped output was cut:\n%s", buf.String())
	}
}
