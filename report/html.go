package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// HeapSample is one measurement of a process's heap over time: V8's used
// heap size (Runtime.getHeapUsage, process.memoryUsage().heapUsed) at a
// time in milliseconds (since the Unix epoch or since the recording began:
// only differences are shown).
type HeapSample struct {
	TimeMillis int64  `json:"timeMillis"`
	UsedBytes  uint64 `json:"usedBytes"`
}

// HeapCurve is a hunt's heap samples and when it took its snapshots, in
// milliseconds on the samples' clock (-1: unknown), one per snapshot.
type HeapCurve struct {
	Samples       []HeapSample `json:"samples"`
	SnapshotTimes []int64      `json:"snapshotTimes,omitempty"`
}

//go:embed html.tmpl
var leaksHTMLSource string

var leaksHTML = template.Must(template.New("leaks").Funcs(template.FuncMap{
	"size":       Size,
	"signedSize": SignedSize,
	"comma":      func(v int) string { return humanize.Comma(int64(v)) },
	"growth":     growthText,
	"display":    func(s string) string { return oneLine(snapshot.Display(s)) },
	"full":       func(s string) string { return flat(snapshot.Display(s)) },
	"node":       nodeLabel,
	"percent":    func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	"inc":        func(i int) int { return i + 1 },
	"counts": func(c []int) string {
		parts := make([]string, len(c))
		for k, v := range c {
			parts[k] = humanize.Comma(int64(v))
		}
		return strings.Join(parts, " → ")
	},
	"sizes": func(s []uint64) string {
		parts := make([]string, len(s))
		for k, v := range s {
			parts[k] = Size(v)
		}
		return strings.Join(parts, " → ")
	},
	"origin": func(r WhereRow) string {
		switch r.Origin {
		case object.OriginApp:
			return "your code"
		case object.OriginDependency:
			if r.Package != "" {
				return "dependency " + r.Package
			}
			return "dependency"
		}
		return "runtime"
	},
	"anonymous": func(s string) string {
		if s == "" {
			return "(anonymous)"
		}
		return oneLine(snapshot.Display(s))
	},
}).Parse(leaksHTMLSource))

// htmlHop is one row of a chain in the HTML report: a step of the path, a
// run of N steps alike folded (Folded), or N steps of any kind left out of
// a chain too long to show (Gap).
type htmlHop struct {
	object.Hop
	Accumulation bool
	// AccRetained is the accumulation point's retained size in each
	// snapshot, on its hop.
	AccRetained []uint64
	Last        bool
	Folded, Gap bool
	N           int
	// Shape is the edge of a folded run, its shape when the edges differ.
	Shape string
}

type htmlFinding struct {
	leak.Finding
	N    int
	Hops []htmlHop
	// Title is the finding's headline (Headline), Verb "accumulate(s)".
	Title, Verb string
	// PatternTitle is the pattern's title as a sentence's start.
	PatternTitle string
	// Where are the locations people act on, the user's code first;
	// Holders the functions on the way from the roots to the container.
	Where, Holders []WhereRow
	// WhereTitle heads Where (WhereTitle).
	WhereTitle string
	// RelatedShown are the first MaxRelated classes growing with it,
	// RelatedMore the rest (folded).
	RelatedShown, RelatedMore []leak.Related
	// CountLabel and RetainedLabel name the class the counts and retained
	// sizes are of when the headline names something else (listeners).
	CountLabel, RetainedLabel string
}

type htmlPage struct {
	R        *leak.Report
	Findings []htmlFinding
	Chart    template.HTML
	Samples  int
	Span     string
	Peak     string
}

// WriteLeaksHTML writes the leak verdict r as one self-contained HTML page:
// inline CSS and SVG, no script, no network access, no external asset, so it
// can be attached to a CI build and opened from a file. It shows the
// verdict, the snapshots, a chart of the heap usage over time when samples
// are given (nil for none), and each finding with its headline, its pattern
// and fix in words, its retainer chain root first, the accumulation point
// marked, the classes growing with it and the source locations, the user's
// code first with the fix site marked (the holders folded away), as the
// text report shows them.
func WriteLeaksHTML(w io.Writer, r *leak.Report, samples []HeapSample) error {
	if r == nil {
		return fmt.Errorf("html report: no leak report")
	}
	p := htmlPage{R: r, Samples: len(samples)}
	dir, _ := os.Getwd() // without it, scripts are named as the snapshot names them
	for k, f := range r.Findings {
		hf := htmlFinding{Finding: f, N: k + 1, Hops: chainHops(f), Title: Headline(f), Verb: accumulates(f), PatternTitle: PatternTitle(f.Pattern),
			RelatedShown: f.Related, CountLabel: "Count", RetainedLabel: "Retained"}
		if len(f.Related) > MaxRelated {
			hf.RelatedShown, hf.RelatedMore = f.Related[:MaxRelated], f.Related[MaxRelated:]
		}
		if u := countUnit(f); u != "objects" {
			class := oneLine(snapshot.Display(f.Class))
			hf.CountLabel, hf.RetainedLabel = u, class+" retained"
		}
		hf.Where, hf.Holders = SplitWhere(f.Locations, dir)
		hf.WhereTitle = WhereTitle(hf.Where)
		p.Findings = append(p.Findings, hf)
	}
	if len(samples) > 0 {
		p.Chart = heapChartSVG(samples)
		first, last := samples[0].TimeMillis, samples[len(samples)-1].TimeMillis
		p.Span = (time.Duration(last-first) * time.Millisecond).Round(time.Millisecond).String()
		var peak uint64
		for _, s := range samples {
			peak = max(peak, s.UsedBytes)
		}
		p.Peak = Size(peak)
	}
	var b bytes.Buffer
	if err := leaksHTML.Execute(&b, p); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// chainHops lays out a finding's chain as the text report does
// (object.Chain.Layout): runs of hops alike folded, the middle of a chain
// still too long left out; the accumulation point and the object always
// shown.
func chainHops(f leak.Finding) []htmlHop {
	p := f.Path
	var acc []snapshot.NodeID
	if f.AccumulationPoint != nil {
		acc = append(acc, f.AccumulationPoint.ID)
	}
	var out []htmlHop
	for _, row := range p.Layout(paths.MaxRows, acc...) {
		k := row.Hop
		switch {
		case row.Gap:
			out = append(out, htmlHop{Gap: true, N: row.N})
			continue
		case row.Folded():
			out = append(out, htmlHop{Hop: p[k], Folded: true, N: row.N, Shape: foldedEdge(p, row)})
			continue
		}
		h := htmlHop{Hop: p[k], Accumulation: f.AccumulationPoint != nil && f.AccumulationPoint.ID == p[k].ID, Last: k == len(p)-1, N: 1}
		if h.Accumulation {
			h.AccRetained = f.AccumulationPoint.RetainedBySnapshot
		}
		out = append(out, h)
	}
	return out
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH                    = 760.0, 240.0
	chartLeft, chartRight             = 72.0, 16.0
	chartTop, chartBottom             = 12.0, 32.0
	chartTicksX, chartTicksY          = 6, 4
	chartMaxPoints                    = 2000
	chartPlotW                        = chartW - chartLeft - chartRight
	chartPlotH                        = chartH - chartTop - chartBottom
	chartStroke, chartFill, chartGrid = "#d93025", "rgba(217,48,37,0.12)", "#d0d4da"
	chartLabel                        = "#5f6368"
	chartFont                         = "11px system-ui, sans-serif"
	chartAria                         = "Heap used over time"
)

// heapChartSVG draws the samples as an inline SVG area chart: time on the
// x axis (from the first sample), used heap on the y axis from 0.
func heapChartSVG(samples []HeapSample) template.HTML {
	t0, t1 := samples[0].TimeMillis, samples[0].TimeMillis
	var peak uint64
	for _, s := range samples {
		t0, t1 = min(t0, s.TimeMillis), max(t1, s.TimeMillis)
		peak = max(peak, s.UsedBytes)
	}
	span := float64(t1 - t0)
	if span <= 0 {
		span = 1
	}
	yMax := niceCeil(float64(peak))
	x := func(t int64) float64 { return chartLeft + chartPlotW*float64(t-t0)/span }
	y := func(v uint64) float64 { return chartTop + chartPlotH*(1-float64(v)/yMax) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" style="font:%s">`,
		chartW, chartH, chartAria, chartFont)
	for k := 0; k <= chartTicksY; k++ {
		v := yMax * float64(k) / chartTicksY
		yy := chartTop + chartPlotH*(1-float64(k)/chartTicksY)
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="%s" stroke-width="1"/>`, chartLeft, yy, chartW-chartRight, yy, chartGrid)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end" dominant-baseline="middle" fill="%s">%s</text>`, chartLeft-6, yy, chartLabel,
			template.HTMLEscapeString(Size(uint64(v))))
	}
	for k := 0; k <= chartTicksX; k++ {
		ms := span * float64(k) / chartTicksX
		xx := chartLeft + chartPlotW*float64(k)/chartTicksX
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle" fill="%s">%s</text>`, xx, chartH-10, chartLabel,
			template.HTMLEscapeString(durationLabel(ms, span)))
	}
	// Thin out very long recordings: keep the maximum of each bucket so
	// that peaks stay visible.
	pts := samples
	if len(pts) > chartMaxPoints {
		step := float64(len(pts)) / chartMaxPoints
		thin := make([]HeapSample, 0, chartMaxPoints+1)
		for k := 0; k < chartMaxPoints; k++ {
			lo, hi := int(float64(k)*step), int(float64(k+1)*step)
			best := pts[lo]
			for _, s := range pts[lo:min(hi, len(pts))] {
				if s.UsedBytes > best.UsedBytes {
					best.UsedBytes = s.UsedBytes
				}
			}
			thin = append(thin, best)
		}
		thin = append(thin, pts[len(pts)-1])
		pts = thin
	}
	var line strings.Builder
	for k, s := range pts {
		if k > 0 {
			line.WriteByte(' ')
		}
		fmt.Fprintf(&line, "%.1f,%.1f", x(s.TimeMillis), y(s.UsedBytes))
	}
	base := chartTop + chartPlotH
	fmt.Fprintf(&b, `<polygon points="%.1f,%.1f %s %.1f,%.1f" fill="%s" stroke="none"/>`,
		x(pts[0].TimeMillis), base, line.String(), x(pts[len(pts)-1].TimeMillis), base, chartFill)
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`, line.String(), chartStroke)
	if len(pts) == 1 {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, x(pts[0].TimeMillis), y(pts[0].UsedBytes), chartStroke)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped labels only
}

// niceCeil rounds a byte count up to a round multiple of a power of 1024
// (1, 2, 4, 5, 8, 10, 20, … KiB, MiB, GiB) so that the axis labels read
// well; at least 1 KiB.
func niceCeil(v float64) float64 {
	if v < 1024 {
		return 1024
	}
	unit := math.Pow(1024, math.Floor(math.Log(v)/math.Log(1024)))
	for _, m := range []float64{1, 2, 4, 5, 8, 10, 20, 40, 50, 80, 100, 200, 400, 500, 800, 1024} {
		if m*unit >= v {
			return m * unit
		}
	}
	return 1024 * unit
}

// durationLabel writes a time offset for an axis spanning span ms.
func durationLabel(ms, span float64) string {
	switch {
	case span < 10_000:
		return fmt.Sprintf("%.1fs", ms/1000)
	case span < 600_000:
		return fmt.Sprintf("%.0fs", ms/1000)
	case span < 36_000_000:
		return fmt.Sprintf("%.0fm", ms/60_000)
	}
	return fmt.Sprintf("%.1fh", ms/3_600_000)
}
