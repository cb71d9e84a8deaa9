package loadtest

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one run's samples, drawn as one line per panel.
type Series struct {
	Name    string
	Samples []Sample
}

type panel struct {
	title string
	log   bool
	value func(Sample) float64 // < 0: not measured
}

var panels = []panel{
	{"RSS (MB)", true, func(s Sample) float64 {
		if s.RSS < 0 {
			return -1
		}
		return float64(s.RSS) / 1e6
	}},
	{"goroutines", true, func(s Sample) float64 { return s.Goroutines }},
	{"successful answers per second", false, func(s Sample) float64 { return s.RPS }},
	{"p99 latency (ms), answers in each second", true, func(s Sample) float64 { return s.P99 }},
}

// WriteChart draws RSS, goroutines, achieved rate and p99 latency over
// time, one panel each and one line per series, with the end of the
// warm-up marked, into a PNG file.
func WriteChart(path, title string, series []Series, warmupEnd float64) error {
	plots := make([][]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.title
		p.Title.TextStyle.Font.Size = vg.Points(11)
		if i == 0 {
			p.Title.Text = title + "\n" + pn.title
			p.Legend.Top = true
			p.Legend.Left = true
		}
		if i == len(panels)-1 {
			p.X.Label.Text = "seconds since the load started (dashed: end of warm-up)"
		}
		p.Add(plotter.NewGrid())
		lo, hi := math.Inf(1), math.Inf(-1)
		for j, s := range series {
			var pts plotter.XYs
			for _, sm := range s.Samples {
				v := pn.value(sm)
				if v < 0 || (pn.log && v <= 0) {
					continue
				}
				pts = append(pts, plotter.XY{X: sm.T, Y: v})
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			if len(pts) == 0 {
				continue
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Color = plotutil.Color(j)
			l.Width = vg.Points(1.5)
			p.Add(l)
			if i == 0 {
				p.Legend.Add(s.Name, l)
			}
		}
		if warmupEnd > 0 && lo <= hi {
			if lo == hi {
				lo, hi = lo*0.9, hi*1.1+1
			}
			l, err := plotter.NewLine(plotter.XYs{{X: warmupEnd, Y: lo}, {X: warmupEnd, Y: hi}})
			if err != nil {
				return err
			}
			l.Color = color.Gray{Y: 128}
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
		}
		if pn.log && lo > 0 && lo <= hi {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.TickerFunc(logTicks)
		}
		plots[i] = []*plot.Plot{p}
	}
	img := vgimg.NewWith(vgimg.UseWH(9*vg.Inch, 11*vg.Inch), vgimg.UseDPI(96))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: vg.Millimeter, PadY: 3 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// logTicks labels 1, 2 and 5 times the powers of ten in [min, max], with
// unlabelled minor ticks at the other multiples.
func logTicks(min, max float64) []plot.Tick {
	if min <= 0 || max <= 0 {
		return nil
	}
	var ticks []plot.Tick
	for p := math.Floor(math.Log10(min)); p <= math.Ceil(math.Log10(max)); p++ {
		base := math.Pow(10, p)
		for m := 1.0; m < 10; m++ {
			v := m * base
			if v < min*0.999 || v > max*1.001 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	// Within one decade 1, 2 and 5 may all fall outside the range (an
	// RSS between 24 and 45 MB): label every tick then.
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		for i := range ticks {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', -1, 64)
		}
	}
	return ticks
}
