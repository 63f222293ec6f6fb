package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/object"
	"github.com/heapscope/heapscope/snapshot"
)

// The text folds a run of hops alike into one line with a count, keeping
// the run's first and last hop, and a chain still too long once folded
// keeps its root end, its accumulation point and its object's end around a
// "… N hops …" line: no chain prints more than 25 lines.
func TestWriteLeaksTextFolds(t *testing.T) {
	r := syntheticReport()
	var b bytes.Buffer
	if err := WriteLeaksText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(b.String()), " ") // one space between fields
	for _, want := range []string{".next Link @100", ".next Link ×18", ".next Link @138", "Registry @5", "◀ accumulation point"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@102") {
		t.Errorf("a folded hop is printed:\n%s", out)
	}

	// 300 hops that alternate two shapes (nothing to fold), the
	// accumulation point in the middle.
	f := &r.Findings[0]
	path := object.Chain{{Ref: object.Ref{Class: "global", Name: "global", ID: 1}}}
	for k := range 300 {
		edge, class := ".value", "Node"
		if k%2 == 1 {
			edge, class = "[1]", "Array"
		}
		path = append(path, object.Hop{Edge: edge, Ref: object.Ref{Class: class, Name: class, ID: snapshot.NodeID(1001 + 2*k)}})
	}
	path = append(path, object.Hop{Edge: ".session", Ref: object.Ref{Class: "Session", Name: "Session", ID: 7}})
	f.Path = path
	f.AccumulationPoint.ID = path[150].ID
	b.Reset()
	if err := WriteLeaksText(&b, r); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	lines := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "     ") {
			lines++
		}
	}
	// The chain, plus the two Where lines.
	if lines > 25+1 {
		t.Errorf("the chain prints %d lines:\n%s", lines-1, out)
	}
	for _, want := range []string{"global @1", " hops …", "Array @1299", "◀ accumulation point", "Session @7"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text lacks %q:\n%s", want, out)
		}
	}
}
