package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heapscope/heapscope/snapshot"
)

// --- /api/snapshots/{s}/scripts/{script}/source

// Bounds of a source answer: the source looked at is its first
// maxSourceBytes bytes, a line is cut at maxSourceLine bytes (minified code
// is one long line), and at most maxSourceContext lines either side of the
// asked line come back.
const (
	maxSourceBytes   = 2 << 20
	maxSourceLine    = 2000
	defaultContext   = 20
	maxSourceContext = 200
)

// v8NameCap is the length in UTF-16 code units at which V8 cuts the names
// of a snapshot's nodes, a string's name being its contents: a script's
// source as long as this is (most likely) only its beginning.
const v8NameCap = 1024

// SourceLine is a line of a script's source.
type SourceLine struct {
	// Line is 1-based.
	Line int    `json:"line"`
	Text string `json:"text"`
	// Cut is set when Text is only the beginning of the line.
	Cut bool `json:"cut,omitempty"`
}

// Source is the answer of .../scripts/{script}/source: the lines around
// line Line of a script, as far as the snapshot holds its source.
type Source struct {
	ScriptID uint32 `json:"scriptId"`
	Script   string `json:"script"`
	// Line and Column are the location asked for (Column 0: none); the
	// lines From to To (1-based, inclusive) come back, none when the
	// snapshot does not hold line Line.
	Line   int          `json:"line"`
	Column int          `json:"column,omitempty"`
	From   int          `json:"from"`
	To     int          `json:"to"`
	Lines  []SourceLine `json:"lines"`
	// Chars is the number of UTF-16 code units of source the snapshot
	// holds; Partial is set when that is only the script's beginning (V8
	// keeps the first 1,024 code units of every string in a snapshot, and
	// the server reads no more than 2 MiB).
	Chars   int  `json:"chars"`
	Partial bool `json:"partial"`
	// Beyond is set when line Line is past the part of the source held.
	Beyond bool `json:"beyond,omitempty"`
}

// scriptSource finds the source of the script with the given id: a
// function located in it leads, through JSFunction -{shared}->
// SharedFunctionInfo -{script_or_debug_info}-> Script -{source}->, to
// the string holding it (as graph.ScriptName finds its name).
func (sn *snap) scriptSource(id uint32) (name string, src snapshot.Ordinal, ok bool) {
	s := sn.g.S
	for _, ln := range sn.g.LocatedNodes() {
		if s.Locations[ln.Location].ScriptID != id || s.NodeTypes[ln.Node] != snapshot.NodeClosure {
			continue
		}
		shared, ok := edgeTo(s, ln.Node, "shared")
		if !ok {
			continue
		}
		script, ok := edgeTo(s, shared, "script_or_debug_info")
		if !ok {
			if script, ok = edgeTo(s, shared, "script"); !ok {
				continue
			}
		}
		if n := s.Name(script); strings.HasPrefix(n, "system / ") && !strings.HasPrefix(n, "system / Script / ") {
			// A DebugInfo (a debugger is attached) points on to the script.
			if inner, ok := edgeTo(s, script, "script"); ok {
				script = inner
			}
		}
		str, ok := edgeTo(s, script, "source")
		if !ok {
			continue
		}
		return s.Name(script), str, true
	}
	return "", 0, false
}

// edgeTo returns the target of node i's first edge with a string name.
func edgeTo(s *snapshot.Snapshot, i snapshot.Ordinal, name string) (snapshot.Ordinal, bool) {
	for e := s.FirstEdge[i]; e < s.FirstEdge[i+1]; e++ {
		if !s.EdgeTypes[e].HasNumericName() && s.Strings.At(s.EdgeNameID(e)) == name {
			return s.EdgeTo[e], true
		}
	}
	return 0, false
}

// utf16Len counts the UTF-16 code units of s.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++ // invalid UTF-8 or a lone surrogate: one unit
		}
	}
	return n
}

// sourceWindow cuts the lines line-context to line+context out of src;
// atEnd says the last of them is src's last line.
func sourceWindow(src string, line, context int) (from, to int, lines []SourceLine, beyond, atEnd bool) {
	from, to = max(1, line-context), line+context
	n := 1
	for rest := src; ; n++ {
		text, next, more := strings.Cut(rest, "\n")
		if n >= from && n <= to {
			sl := SourceLine{Line: n, Text: strings.TrimSuffix(text, "\r")}
			if len(sl.Text) > maxSourceLine {
				cut := maxSourceLine
				for cut > 0 && !utf8.RuneStart(sl.Text[cut]) {
					cut--
				}
				sl.Text, sl.Cut = sl.Text[:cut], true
			}
			lines = append(lines, sl)
		}
		if !more {
			atEnd = true
			break
		}
		if n >= to {
			break
		}
		rest = next
	}
	if n < line {
		return 0, 0, nil, true, atEnd
	}
	return from, min(to, n), lines, false, atEnd
}

func (s *Server) apiSource(w http.ResponseWriter, r *http.Request) (any, error) {
	sn, err := s.snapParam(r, "s")
	if err != nil {
		return nil, err
	}
	v := r.PathValue("script")
	id, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return nil, badRequest("%q is not a script id", v)
	}
	line, err := intParam(r, "line", 1, 1, 1<<31-1)
	if err != nil {
		return nil, err
	}
	column, err := intParam(r, "column", 0, 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	context, err := intParam(r, "context", defaultContext, 0, maxSourceContext)
	if err != nil {
		return nil, err
	}
	name, str, ok := sn.scriptSource(uint32(id))
	if !ok {
		return nil, notFound("snapshot %d holds no source for script %d", sn.index, id)
	}
	text := sn.g.S.Name(str)
	partial := len(text) > maxSourceBytes
	if partial {
		cut := maxSourceBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	out := Source{ScriptID: uint32(id), Script: snapshot.Display(name), Line: line, Column: column, Lines: []SourceLine{}}
	if s := sn.g.ScriptName(uint32(id)); s != "" {
		out.Script = snapshot.Display(s)
	}
	out.Chars = utf16Len(text)
	out.Partial = partial || out.Chars >= v8NameCap
	from, to, lines, beyond, atEnd := sourceWindow(text, line, context)
	out.From, out.To, out.Beyond = from, to, beyond
	if lines != nil {
		if atEnd && out.Partial {
			lines[len(lines)-1].Cut = true // the source held ends inside it
		}
		for k := range lines {
			lines[k].Text = snapshot.Display(lines[k].Text)
		}
		out.Lines = lines
	}
	return out, nil
}
