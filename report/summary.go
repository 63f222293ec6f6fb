// Package report renders analysis results for people (aligned text) and for
// machines (JSON). It only formats: every number comes from the analysis
// packages.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// SummaryReport is the result of `heapscope summary`. Its JSON form uses the
// field names of the DevTools oracle, so the two compare directly.
type SummaryReport struct {
	File    string          `json:"file"`
	Totals  summary.Totals  `json:"totals"`
	Classes []summary.Class `json:"classes"`
	// ClassCount is the number of classes before --top and --filter.
	ClassCount int `json:"classCount"`
	// Scripts names the scripts of the classes' locations in the text;
	// the JSON keeps the script ids, as DevTools' class keys do.
	Scripts ScriptNames `json:"-"`
}

// ScriptNames names scripts by id (graph.ScriptName), for the text reports;
// a script the snapshot names nowhere is shown by its id.
type ScriptNames map[uint32]string

// ScriptNamesOf names the scripts of the located functions and objects of
// graphs, each after the first graph that names it (snapshots of one
// process share script ids). The names are copies: they outlive the
// graphs.
func ScriptNamesOf(graphs ...*graph.Graph) ScriptNames {
	names := ScriptNames{}
	for _, g := range graphs {
		prev, first := uint32(0), true
		for _, l := range g.S.Locations {
			if l.ScriptID == prev && !first {
				continue // locations come in runs of one script
			}
			prev, first = l.ScriptID, false
			if names[l.ScriptID] == "" {
				if name := g.ScriptName(l.ScriptID); name != "" {
					names[l.ScriptID] = strings.Clone(name)
				}
			}
		}
	}
	return names
}

// label is a class name for display, with its constructor's source
// location where it has one: the script's name, or its id when n does not
// name it, and the 1-based line:column, as leak findings show locations.
func (n ScriptNames) label(name string, l *snapshot.Location) string {
	name = oneLine(snapshot.Display(name))
	if l == nil {
		return name
	}
	if script := n[l.ScriptID]; script != "" {
		return fmt.Sprintf("%s @ %s:%d:%d", name, oneLine(snapshot.Display(script)), l.Line+1, l.Column+1)
	}
	return fmt.Sprintf("%s @ script %d:%d:%d", name, l.ScriptID, l.Line+1, l.Column+1)
}

// WriteJSON writes v as indented JSON. The class names and keys of the
// reports of summary, diff and leaks are written as jsonText makes them.
func WriteJSON(w io.Writer, v any) error {
	switch r := v.(type) {
	case *SummaryReport:
		c := *r
		c.Classes = slices.Clone(r.Classes)
		for i := range c.Classes {
			c.Classes[i].Name, c.Classes[i].Key = jsonText(c.Classes[i].Name, c.Classes[i].Key)
		}
		v = &c
	case *DiffReport:
		c := *r
		c.Classes = slices.Clone(r.Classes)
		for i := range c.Classes {
			c.Classes[i].Name, c.Classes[i].Key = jsonText(c.Classes[i].Name, c.Classes[i].Key)
		}
		v = &c
	case *leak.Report:
		c := *r
		c.Findings = slices.Clone(r.Findings)
		for i := range c.Findings {
			f := &c.Findings[i]
			f.Class, f.Key = jsonText(f.Class, f.Key)
			f.Related = slices.Clone(f.Related)
			for k := range f.Related {
				f.Related[k].Class, f.Related[k].Key = jsonText(f.Related[k].Class, f.Related[k].Key)
			}
		}
		v = &c
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonText returns a class's name and key as the JSON reports write them:
// the name as the text prints it (snapshot.Display: a lone surrogate is one
// U+FFFD), and the key with its invalid bytes escaped
// (snapshot.EscapeInvalid), so that classes whose names differ only in
// their lone surrogates keep distinct keys. encoding/json alone would make
// every byte of a lone surrogate a U+FFFD, in both.
func jsonText(name, key string) (string, string) {
	return snapshot.Display(name), snapshot.EscapeInvalid(key)
}

// Size formats a byte count for people: "1.5 MiB".
func Size(b uint64) string { return humanize.IBytes(b) }

func percent(part, total uint64) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(total))
}

// WriteSummaryText writes the header and class table.
func WriteSummaryText(w io.Writer, r *SummaryReport) error {
	t := r.Totals
	st := t.Statistics
	fmt.Fprintf(w, "%s: %s nodes, %s edges, total %s\n", r.File,
		humanize.Comma(int64(t.NodeCount)), humanize.Comma(int64(t.EdgeCount)), Size(t.TotalSize))
	fmt.Fprintf(w, "  V8 heap %s (code %s, strings %s, JS arrays %s, system %s), native %s (typed arrays %s)\n",
		Size(st.V8Heap.Total), Size(st.V8Heap.Code), Size(st.V8Heap.Strings), Size(st.V8Heap.JSArrays),
		Size(st.V8Heap.System), Size(st.Native.Total), Size(st.Native.TypedArrays))
	if t.NodesUnreachable > 0 {
		fmt.Fprintf(w, "  %d nodes unreachable from the roots\n", t.NodesUnreachable)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Count\tDistance\tShallow\t\tRetained\t\t\tClass")
	for _, c := range r.Classes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\t%s\n",
			humanize.Comma(int64(c.Count)), distance(c.Distance),
			Size(c.Self), percent(c.Self, t.TotalSize),
			Size(c.Retained), percent(c.Retained, t.TotalSize), r.Scripts.label(c.Name, c.Location))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n := r.ClassCount - len(r.Classes); n > 0 {
		fmt.Fprintf(w, "… %d more classes (--top, --filter)\n", n)
	}
	return nil
}

// ClassLabel is a class name for display, with its constructor's source
// location (script id, 1-based line:column) where it has one; the reports
// name the script where the snapshot does (ScriptNames).
func ClassLabel(c summary.Class) string { return ScriptNames(nil).label(c.Name, c.Location) }

func distance(d int32) string {
	switch {
	case d < 0:
		return "-"
	case d >= 100000000:
		return fmt.Sprintf("sys+%d", d-100000000)
	}
	return fmt.Sprint(d)
}

// oneLine keeps control characters from breaking the table.
func oneLine(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return noControl(s)
}

// noControl replaces control characters (a heap's strings hold any) with
// spaces, so that they cannot move a terminal's cursor.
func noControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
