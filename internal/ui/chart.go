package ui

import (
	"bytes"
	_ "embed"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/components"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart is a line chart over a shared x axis (seconds, say): a title, an
// axis label and named series of the same length as X.
type Chart struct {
	Title  string
	XLabel string
	YLabel string
	X      []float64
	Series []ChartSeries
}

// ChartSeries is one line of a chart.
type ChartSeries struct {
	Name   string
	Values []float64
}

// echartsJS is Apache ECharts 5.6.0 from npm (see echarts/README.md),
// inlined in every HTML report.
//
//go:embed echarts/echarts.min.js
var echartsJS []byte

// embeddedAssets is the assets host the page is rendered with, so that its
// script tag can be found and replaced by the embedded library.
const embeddedAssets = "yafdp-embedded/"

// WriteHTML writes the charts as one interactive HTML page (go-echarts),
// with ECharts inlined: the page needs no network when opened.
func WriteHTML(w io.Writer, title string, cs []Chart) error {
	page := components.NewPage()
	page.SetAssetsHost(embeddedAssets)
	page.PageTitle = title
	for _, c := range cs {
		line := charts.NewLine()
		line.SetGlobalOptions(
			charts.WithTitleOpts(opts.Title{Title: c.Title}),
			charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
			charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30"}),
			charts.WithXAxisOpts(opts.XAxis{Name: c.XLabel}),
			charts.WithYAxisOpts(opts.YAxis{Name: c.YLabel}),
			charts.WithDataZoomOpts(opts.DataZoom{Type: "slider"}),
			charts.WithInitializationOpts(opts.Initialization{Width: "1100px", Height: "380px", AssetsHost: embeddedAssets}),
		)
		xs := make([]string, len(c.X))
		for i, x := range c.X {
			xs[i] = strconv.FormatFloat(x, 'f', -1, 64)
		}
		line.SetXAxis(xs)
		for _, s := range c.Series {
			data := make([]opts.LineData, len(s.Values))
			for i, v := range s.Values {
				data[i] = opts.LineData{Value: v}
			}
			line.AddSeries(s.Name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
		}
		page.AddCharts(line)
	}
	var buf bytes.Buffer
	if err := page.Render(&buf); err != nil {
		return err
	}
	tag := []byte(`<script src="` + embeddedAssets + `echarts.min.js"></script>`)
	if bytes.Count(buf.Bytes(), tag) != 1 {
		return fmt.Errorf("the HTML report has no single ECharts script tag to inline the library in")
	}
	inline := slices.Concat([]byte("<script>/* Apache ECharts 5.6.0, Apache License 2.0 */\n"), echartsJS, []byte("\n</script>"))
	_, err := w.Write(bytes.Replace(buf.Bytes(), tag, inline, 1))
	return err
}

// palette is the PNG series colours.
var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

// WritePNG draws the charts stacked in one PNG image (gonum/plot).
func WritePNG(w io.Writer, cs []Chart) error {
	if len(cs) == 0 {
		return fmt.Errorf("no charts to draw")
	}
	const width, rowHeight = 12 * vg.Inch, 3.2 * vg.Inch
	img := vgimg.New(width, rowHeight*vg.Length(len(cs)))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(cs), Cols: 1, PadY: vg.Points(8), PadX: vg.Points(8)}
	plots := make([][]*plot.Plot, len(cs))
	for i, c := range cs {
		p := plot.New()
		p.Title.Text = c.Title
		p.X.Label.Text = c.XLabel
		p.Y.Label.Text = c.YLabel
		p.Legend.Top = true
		for j, s := range c.Series {
			pts := make(plotter.XYs, 0, len(s.Values))
			for k, v := range s.Values {
				if k < len(c.X) && !math.IsNaN(v) && !math.IsInf(v, 0) {
					pts = append(pts, plotter.XY{X: c.X[k], Y: v})
				}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("chart %q, series %q: %w", c.Title, s.Name, err)
			}
			l.Color = palette[j%len(palette)]
			p.Add(l)
			p.Legend.Add(s.Name, l)
		}
		plots[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// sparks are the eight block heights of a sparkline.
var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as one line of width block characters: each
// character is the largest value of its share of the series, scaled
// between the series' minimum and maximum.
func Sparkline(values []float64, width int) string {
	if len(values) == 0 || width <= 0 {
		return ""
	}
	if width > len(values) {
		width = len(values)
	}
	buckets := make([]float64, width)
	for i := range buckets {
		lo, hi := i*len(values)/width, (i+1)*len(values)/width
		m := math.Inf(-1)
		for _, v := range values[lo:max(hi, lo+1)] {
			m = math.Max(m, v)
		}
		buckets[i] = m
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range buckets {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	out := make([]rune, width)
	for i, v := range buckets {
		level := 0
		if hi > lo {
			level = int((v - lo) / (hi - lo) * float64(len(sparks)-1))
		}
		out[i] = sparks[level]
	}
	return string(out)
}
