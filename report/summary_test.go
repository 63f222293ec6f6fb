package report

import (
	"strings"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// TestClassLabels: a located class shows its script's name, as leak
// findings do, or its script id where the snapshot names no script.
func TestClassLabels(t *testing.T) {
	scripts := ScriptNames{437: "node:_http_server", 9: "lib/a\nb.js"}
	for _, c := range []struct {
		class summary.Class
		want  string
	}{
		{summary.Class{Name: "Server", Location: &snapshot.Location{ScriptID: 437, Line: 509, Column: 15}}, "Server @ node:_http_server:510:16"},
		{summary.Class{Name: "Entry", Location: &snapshot.Location{ScriptID: 12, Line: 0, Column: 0}}, "Entry @ script 12:1:1"},
		{summary.Class{Name: "A", Location: &snapshot.Location{ScriptID: 9, Line: 2, Column: 3}}, "A @ lib/a b.js:3:4"},
		{summary.Class{Name: "Object"}, "Object"},
	} {
		if got := scripts.label(c.class.Name, c.class.Location); got != c.want {
			t.Errorf("label %q, want %q", got, c.want)
		}
		var out strings.Builder
		if err := WriteSummaryText(&out, &SummaryReport{File: "f", Classes: []summary.Class{c.class}, Scripts: scripts}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), c.want+"\n") {
			t.Errorf("summary text lacks %q:\n%s", c.want, out.String())
		}
	}
	if got := ClassLabel(summary.Class{Name: "Server", Location: &snapshot.Location{ScriptID: 437, Line: 509, Column: 15}}); got != "Server @ script 437:510:16" {
		t.Errorf("ClassLabel %q", got)
	}
}
