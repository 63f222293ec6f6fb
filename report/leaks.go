package report

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/paths"
	"github.com/heapscope/heapscope/snapshot"
)

// WriteLeaksText writes a leak verdict a person reads in one screen per
// finding: what to change (the headline) and its growth, the pattern in
// words with its fix, the retainer chain root first with the accumulation
// point marked, the classes growing with it, and the source locations, the
// user's own code first with the likely fix site marked. Script paths under
// the current directory are written relative to it.
func WriteLeaksText(w io.Writer, r *leak.Report) error {
	dir, _ := os.Getwd() // without it, scripts are named as the snapshot names them
	return writeLeaksText(w, r, dir)
}

// writeLeaksText is WriteLeaksText with script paths relative to dir.
func writeLeaksText(w io.Writer, r *leak.Report, dir string) error {
	ew := &errWriter{w: w}
	names := make([]string, len(r.Snapshots))
	for k, s := range r.Snapshots {
		names[k] = fmt.Sprintf("%s (%s)", s.Name, Size(s.TotalSize))
	}
	ew.printf("Snapshots: %s\n\n", strings.Join(names, ", "))
	for k, f := range r.Findings {
		writeFinding(ew, k+1, f, dir)
	}
	switch len(r.Findings) {
	case 0:
		ew.printf("Verdict: no leak. No class grew by %d or more objects at every step with new objects still alive.\n", r.MinGrowth)
	case 1:
		f := r.Findings[0]
		ew.printf("Verdict: LEAK: %s %s (%s).\n", Headline(f), accumulates(f), growthText(f.CountGrowth))
	default:
		ew.printf("Verdict: LEAK: %d findings; the biggest is %s (%s).\n", len(r.Findings), Headline(r.Findings[0]), growthText(r.Findings[0].CountGrowth))
	}
	return ew.err
}

// Headline is what a finding is about, for people: its Headline, or its
// class when the analysis named none.
func Headline(f leak.Finding) string {
	h := f.Headline
	if h == "" {
		h = f.Class
	}
	return oneLine(snapshot.Display(h))
}

// accumulates is the verb for the headline: a headline naming a plural
// ("listeners of …", "entries of …") accumulate.
func accumulates(f leak.Finding) string {
	if pluralHeadline(Headline(f)) {
		return "accumulate"
	}
	return "accumulates"
}

func pluralHeadline(headline string) bool {
	return strings.HasPrefix(headline, "listeners of ") || strings.HasPrefix(headline, "entries of ")
}

// countUnit names what a finding's counts count.
func countUnit(f leak.Finding) string {
	// The counts are the class's: say which when the headline names
	// something else (listeners, a container, a dependency's store).
	if h := Headline(f); h != oneLine(snapshot.Display(f.Class)) {
		return oneLine(snapshot.Display(f.Class)) + " objects"
	}
	return "objects"
}

// PatternTitle is a pattern's title as the start of a sentence (its id
// when it has no title).
func PatternTitle(p *leak.Pattern) string {
	if p == nil {
		return ""
	}
	t := p.Title
	if t == "" {
		t = p.ID
	}
	r, n := utf8.DecodeRuneInString(t)
	return string(unicode.ToUpper(r)) + oneLine(t[n:])
}

// maxWhereRows bounds the locations the text lists; the JSON has them all.
const maxWhereRows = 6

func writeFinding(ew *errWriter, n int, f leak.Finding, dir string) {
	counts := make([]string, len(f.Counts))
	for k, c := range f.Counts {
		counts[k] = humanize.Comma(int64(c))
	}
	ew.printf("#%d %s: %s per step (%s %s), retained %s\n", n, Headline(f),
		growthText(f.CountGrowth), strings.Join(counts, " → "), countUnit(f), SignedSize(f.RetainedGrowth))
	if p := f.Pattern; p != nil {
		if p.Summary != "" {
			ew.printf("%s", wrap("   ", PatternTitle(p)+": "+p.Summary))
		} else {
			ew.printf("   %s.\n", PatternTitle(p))
		}
		if p.Advice != "" {
			ew.printf("%s", wrap("   ", "Fix: "+p.Advice))
		}
	} else {
		ew.printf("   %s objects allocated after the first snapshot are still alive; %.0f%% of those sampled are held by this chain.\n",
			humanize.Comma(int64(f.NewAlive)), 100*f.Share)
	}
	ew.printf("   Retained by (root first):\n")
	var acc []snapshot.NodeID
	if f.AccumulationPoint != nil {
		acc = append(acc, f.AccumulationPoint.ID)
	}
	rows := f.Path.Layout(paths.MaxRows, acc...)
	width := 0
	for _, row := range rows {
		if !row.Gap {
			width = max(width, len(foldedEdge(f.Path, row)))
		}
	}
	for _, row := range rows {
		s := f.Path[row.Hop]
		switch {
		case row.Gap:
			ew.printf("     %-*s  … %s hops …\n", width, "", humanize.Comma(int64(row.N)))
			continue
		case row.Folded():
			ew.printf("     %-*s  %s ×%s\n", width, foldedEdge(f.Path, row), oneLine(snapshot.Display(s.Class)), humanize.Comma(int64(row.N)))
			continue
		}
		line := fmt.Sprintf("     %-*s  %s @%d  %s / %s", width, oneLine(s.Edge), nodeLabel(s.Ref), s.ID, Size(s.Self), Size(s.Retained))
		if a := f.AccumulationPoint; a != nil && a.ID == s.ID {
			sizes := make([]string, len(a.RetainedBySnapshot))
			for k, r := range a.RetainedBySnapshot {
				sizes[k] = Size(r)
			}
			line += "   ◀ accumulation point, retained " + strings.Join(sizes, " → ")
		}
		ew.printf("%s\n", line)
	}
	if len(f.Related) > 0 {
		shown, more := f.Related, 0
		if len(shown) > MaxRelated {
			shown, more = shown[:MaxRelated], len(shown)-MaxRelated
		}
		parts := make([]string, len(shown))
		for k, r := range shown {
			parts[k] = fmt.Sprintf("%s (%s)", oneLine(snapshot.Display(r.Class)), growthText(r.CountGrowth))
		}
		if more > 0 {
			parts = append(parts, fmt.Sprintf("and %d more in --json", more))
		}
		ew.printf("%s", wrapItems("   ", "Growing with it: ", parts))
	}
	writeWhere(ew, f.Locations, dir)
	if len(f.AllocationStack) > 0 && !hasRole(f.Locations, "allocation") {
		ew.printf("   Allocated at:\n")
		for k, fr := range f.AllocationStack {
			if k == maxStackRows {
				ew.printf("     … %d more frames in --json\n", len(f.AllocationStack)-k)
				break
			}
			name := fr.Function
			if name == "" {
				name = "(anonymous)"
			}
			ew.printf("     %s  %s:%d:%d\n", oneLine(snapshot.Display(name)), oneLine(snapshot.Display(RelScript(fr.Script, dir))), fr.Line, fr.Column)
		}
	}
	ew.printf("\n")
}

// MaxRelated bounds the classes growing with a finding that the text,
// HTML and UI list (a request leak drags twenty along: sockets, states,
// header objects); the JSON has them all.
const MaxRelated = 8

// maxStackRows bounds the allocation frames the text lists: with the
// chain's 25 lines and Where's 10, a finding stays within about 45 lines.
const maxStackRows = 3

// hasRole says whether a location has role: the allocation stack is listed
// on its own only when Where does not list its frames already.
func hasRole(locs []leak.Location, role string) bool {
	for _, l := range locs {
		if l.Role == role {
			return true
		}
	}
	return false
}

// writeWhere lists the locations people act on, in the analysis' order
// (the user's code first): every role but "holder" (the functions on the
// way from the roots to the container, which only say how the container is
// reached) unless no other row is the user's code and the holder is
// (SplitWhere), the fix site marked.
func writeWhere(ew *errWriter, locs []leak.Location, dir string) {
	rows, _ := SplitWhere(locs, dir)
	if len(rows) == 0 {
		return
	}
	more := 0
	if len(rows) > maxWhereRows {
		rows, more = rows[:maxWhereRows], len(rows)-maxWhereRows
	}
	roleW, nameW, placeW, marked := 0, 0, 0, false
	for _, r := range rows {
		marked = marked || r.FixSite
		roleW = max(roleW, utf8.RuneCountInString(r.Role))
		nameW = max(nameW, utf8.RuneCountInString(r.Name))
		placeW = max(placeW, utf8.RuneCountInString(r.Place))
	}
	ew.printf("   %s:\n", WhereTitle(rows))
	for _, r := range rows {
		mark := "" // the marker column only when a row is marked
		switch {
		case r.FixSite:
			mark = "▶ "
		case marked:
			mark = "  "
		}
		line := "     " + mark + pad(r.Role, roleW) + "  " + pad(r.Name, nameW) + "  " + r.Place
		if r.FixSite {
			// Aligned with the other places, unless they are long (a
			// dependency's path): the mark stays near its line.
			line = pad(line, len("     ")+utf8.RuneCountInString(mark)+roleW+2+nameW+2+min(placeW, maxFixColumn)) + "  ← fix here"
		}
		ew.printf("%s\n", strings.TrimRight(line, " "))
	}
	if more > 0 {
		ew.printf("     … %d more in --json\n", more)
	}
}

// isShown says whether Where lists r rather than fold it away: every row
// but a holder (a function on the way from the roots to the container,
// noise when it is the runtime's: queueMicrotask, a getter on process).
func isShown(r WhereRow) bool {
	return r.Role != RoleHolder
}

// SplitWhere makes the rows of locs and splits them into those Where
// lists, in the analysis' order, and the holders folded away. When no row
// Where lists is the user's code, the user's own holders are listed first
// (a 'connection' listener whose closure holds the Map that grows: where
// the container is filled), the runtime's stay folded.
func SplitWhere(locs []leak.Location, dir string) (shown, folded []WhereRow) {
	rows := make([]WhereRow, len(locs))
	anyApp := false
	for k, l := range locs {
		rows[k] = NewWhereRow(l, dir)
		anyApp = anyApp || isShown(rows[k]) && rows[k].Origin == object.OriginApp
	}
	var rest []WhereRow
	for _, r := range rows {
		switch {
		case !anyApp && r.Role == RoleHolder && r.Origin == object.OriginApp:
			shown = append(shown, r)
		case isShown(r):
			rest = append(rest, r)
		default:
			folded = append(folded, r)
		}
	}
	return append(shown, rest...), folded
}

// WhereTitle is the heading of the locations rows: it says so when none of
// them is the user's code (the leak is the runtime's or a dependency's, or
// the chain passes through no function of the user's).
func WhereTitle(rows []WhereRow) string {
	for _, r := range rows {
		if r.Origin == object.OriginApp {
			return "Where (your code first)"
		}
	}
	return "Where (none of it in your code)"
}

// maxFixColumn bounds the padding of the fix site's place before its mark.
const maxFixColumn = 40

func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s)))
}

// RoleHolder is the role of a location on the path from the roots to the
// accumulation point: kept in the JSON, left out of what people read.
const RoleHolder = "holder"

// WhereRow is a location as the reports show it.
type WhereRow struct {
	Role string `json:"role"`
	// Name is the function or class there, "(anonymous)" when it has none.
	Name string `json:"name"`
	// Place is "script:line:column", the original source first when the
	// script is source-mapped ("app.ts:14:5 (dist/app.js:30:7)"), then a
	// dependency's package ("(express-session)").
	Place string `json:"place"`
	// Origin is "app", "dependency" or "runtime".
	Origin  object.Origin `json:"origin"`
	Package string        `json:"package,omitempty"`
	FixSite bool          `json:"fixSite,omitempty"`
}

// NewWhereRow lays out l for people, with script paths relative to dir
// when they are under it. A location the analysis gave no origin is given
// the one its script name says (object.OriginOf).
func NewWhereRow(l leak.Location, dir string) WhereRow {
	name := ""
	if l.Function != nil {
		name = l.Name
	}
	if name == "" {
		name = "(anonymous)"
	}
	origin, pkg := l.Origin, l.Package
	if origin == "" {
		origin, pkg = object.OriginOf(l.Script)
	}
	script := l.Script
	if script == "" {
		script = "script " + strconv.FormatUint(uint64(l.ScriptID), 10)
	}
	place := fmt.Sprintf("%s:%d:%d", RelScript(script, dir), l.Line, l.Column)
	if o := l.Original; o != nil {
		place = fmt.Sprintf("%s:%d:%d (%s)", RelScript(o.Script, dir), o.Line, o.Column, place)
	}
	if origin == object.OriginDependency && pkg != "" {
		place += " (" + pkg + ")"
	}
	return WhereRow{
		Role: l.Role, Name: oneLine(snapshot.Display(name)), Place: oneLine(snapshot.Display(place)),
		Origin: origin, Package: pkg, FixSite: l.FixSite,
	}
}

// RelScript names a script relative to dir when it is under it (a path or
// a file:// URL), else as given.
func RelScript(script, dir string) string {
	if dir == "" {
		return script
	}
	p := script
	if rest, ok := strings.CutPrefix(p, "file://"); ok {
		if u, err := url.PathUnescape(rest); err == nil {
			p = u
		} else {
			p = rest
		}
	}
	d := strings.TrimSuffix(filepath.ToSlash(dir), "/") + "/"
	if rest, ok := strings.CutPrefix(filepath.ToSlash(p), d); ok && rest != "" {
		return rest
	}
	return script
}

// nodeLabel shows an object as DevTools lists it: its name, and its class
// in parentheses when the two differ.
func nodeLabel(n object.Ref) string {
	name, class := bareGlobal(oneLine(snapshot.Display(n.Name))), bareGlobal(oneLine(snapshot.Display(n.Class)))
	if len(name) > 80 {
		name = name[:80] + "…"
	}
	if name == class || name == "" {
		return class
	}
	return fmt.Sprintf("%s (%s)", name, class)
}

// bareGlobal is "global" for the "global / " V8 names the global object
// when no URL follows (snapshots taken through the inspector): the text
// printed "global /  @6047".
func bareGlobal(s string) string {
	if t := strings.TrimRight(s, " "); strings.HasSuffix(t, " /") {
		return strings.TrimSuffix(t, " /")
	}
	return s
}

func growthText(g []int) string {
	parts := make([]string, len(g))
	for k, d := range g {
		if d >= 0 {
			parts[k] = "+" + humanize.Comma(int64(d))
		} else {
			parts[k] = humanize.Comma(int64(d))
		}
	}
	return strings.Join(parts, ", ")
}

// errWriter remembers the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// foldedEdge is the edge label of row: the hop's own, or for a folded run
// whose edges differ ("[3]", "[4]"…) their shape ("[n]").
func foldedEdge(c object.Chain, row paths.Row) string {
	e := c[row.Hop].Edge
	if row.Folded() && c[row.Hop+row.N-1].Edge != e {
		e = object.EdgeShape(e)
	}
	return oneLine(snapshot.Display(e))
}

// textWidth is the width prose is wrapped at, and maxProse the most of it
// printed (its names come from the heap).
const (
	textWidth = 100
	maxProse  = 600
)

// wrap lays prose out in lines of at most textWidth columns, each after
// indent, the lines after the first indented two more; words longer than
// a line are not split.
func wrap(indent, prose string) string {
	// Not oneLine: it cuts at 200 bytes, and a pattern's advice is longer.
	words := strings.Fields(noControl(object.Cut(prose, maxProse)))
	var b strings.Builder
	line := indent
	fresh := true
	for _, w := range words {
		if !fresh && len(line)+1+len(w) > textWidth {
			b.WriteString(line + "\n")
			line, fresh = indent+"  ", true
		}
		if !fresh {
			line += " "
		}
		line += w
		fresh = false
	}
	b.WriteString(line + "\n")
	return b.String()
}

// wrapItems lays out "head item, item, …" in lines of at most textWidth
// columns, like wrap, but breaks only between items: a class and its
// growth stay on one line.
func wrapItems(indent, head string, items []string) string {
	var b strings.Builder
	line := indent + head
	for k, it := range items {
		it = oneLine(it)
		if k < len(items)-1 {
			it += ","
		}
		switch {
		case k == 0:
			line += it
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(it) > textWidth:
			b.WriteString(line + "\n")
			line = indent + "  " + it
		default:
			line += " " + it
		}
	}
	b.WriteString(line + "\n")
	return b.String()
}
