package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// locatedClass returns the constructor location of class name in
// snapshot s's Summary.
func locatedClass(t *testing.T, rows []classRow, name, script string) classRow {
	t.Helper()
	for _, c := range rows {
		if c.Name == name && c.Location != nil && c.Location.Script == script {
			return c
		}
	}
	t.Fatalf("no class %s located in %s", name, script)
	return classRow{}
}

func TestSourceView(t *testing.T) {
	ts := newTestServer(t, 3)
	var sum struct {
		Items []classRow `json:"items"`
	}
	mustGet(t, ts, "/api/snapshots/2/summary?limit=1000", &sum)

	// Stream's constructor is line 10 of node:internal/streams/legacy, which
	// the snapshot holds (its first 1,024 characters: 30 lines).
	stream := locatedClass(t, sum.Items, "Stream", "node:internal/streams/legacy")
	if stream.Location.Line != 10 {
		t.Fatalf("Stream at line %d, want 10", stream.Location.Line)
	}
	var src Source
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/scripts/%d/source?line=%d&column=%d", stream.Location.ScriptID, stream.Location.Line, stream.Location.Column), &src)
	if src.Script != "node:internal/streams/legacy" || src.Line != 10 || src.Beyond {
		t.Fatalf("source: %+v", src)
	}
	if src.From != 1 || src.To != src.Lines[len(src.Lines)-1].Line || len(src.Lines) != src.To-src.From+1 {
		t.Fatalf("window %d-%d with %d lines", src.From, src.To, len(src.Lines))
	}
	for k, l := range src.Lines {
		if l.Line != src.From+k {
			t.Fatalf("line %d numbered %d", src.From+k, l.Line)
		}
	}
	if got := src.Lines[10-src.From].Text; got != "function Stream(opts) {" {
		t.Errorf("line 10 is %q", got)
	}
	if src.Lines[0].Text != "'use strict';" {
		t.Errorf("line 1 is %q", src.Lines[0].Text)
	}
	// V8 keeps 1,024 code units of a string: the source is partial, and
	// its last line held is cut.
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/scripts/%d/source?line=10&context=200", stream.Location.ScriptID), &src)
	if !src.Partial || src.Chars != 1024 || !src.Lines[len(src.Lines)-1].Cut {
		t.Errorf("partial %v, %d chars, last line cut %v", src.Partial, src.Chars, src.Lines[len(src.Lines)-1].Cut)
	}
	n := 0
	for _, l := range src.Lines {
		n += len(l.Text) + 1
	}
	if n-1 > 1024 {
		t.Errorf("%d bytes of lines from 1,024 characters of ASCII", n-1)
	}

	// context narrows the window.
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/scripts/%d/source?line=10&context=2", stream.Location.ScriptID), &src)
	if src.From != 8 || src.To != 12 || len(src.Lines) != 5 || src.Lines[2].Text != "function Stream(opts) {" {
		t.Errorf("context=2: %d-%d %+v", src.From, src.To, src.Lines)
	}

	// http's Server is at line 510 of node:_http_server: past what the
	// snapshot holds, which the answer says.
	server := locatedClass(t, sum.Items, "Server", "node:_http_server")
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/scripts/%d/source?line=%d", server.Location.ScriptID, server.Location.Line), &src)
	if !src.Beyond || len(src.Lines) != 0 || !src.Partial || src.Script != "node:_http_server" {
		t.Errorf("line 510: %+v", src)
	}

	for path, want := range map[string]int{
		"/api/snapshots/2/scripts/abc/source":                                                        http.StatusBadRequest,
		"/api/snapshots/2/scripts/-1/source":                                                         http.StatusBadRequest,
		"/api/snapshots/2/scripts/4294967295/source":                                                 http.StatusNotFound,
		"/api/snapshots/9/scripts/1/source":                                                          http.StatusNotFound,
		fmt.Sprintf("/api/snapshots/2/scripts/%d/source?line=0", stream.Location.ScriptID):           http.StatusBadRequest,
		fmt.Sprintf("/api/snapshots/2/scripts/%d/source?context=201", stream.Location.ScriptID):      http.StatusBadRequest,
		fmt.Sprintf("/api/snapshots/2/scripts/%d/source?line=99999999999", stream.Location.ScriptID): http.StatusBadRequest,
	} {
		if code := get(t, ts, path, nil); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
}

func TestSourceWindowBounds(t *testing.T) {
	long := strings.Repeat("é", maxSourceLine) // 2 bytes each: cut inside a rune
	src := "a\r\nb\n" + long + "\nd"
	from, to, lines, beyond, atEnd := sourceWindow(src, 3, 1)
	if beyond || !atEnd || from != 2 || to != 4 || len(lines) != 3 {
		t.Fatalf("window %d-%d %d lines beyond %v atEnd %v", from, to, len(lines), beyond, atEnd)
	}
	if lines[0].Text != "b" || !lines[1].Cut || len(lines[1].Text) > maxSourceLine || !strings.HasPrefix(long, lines[1].Text) || lines[2].Text != "d" {
		t.Errorf("lines %+v", lines)
	}
	if _, _, l, _, _ := sourceWindow(src, 1, 0); len(l) != 1 || l[0].Text != "a" {
		t.Errorf("line 1: %+v (the \\r is dropped)", l)
	}
	if _, _, l, beyond, _ := sourceWindow(src, 5, 3); !beyond || l != nil {
		t.Errorf("line 5 of 4: beyond %v, %+v", beyond, l)
	}
}
