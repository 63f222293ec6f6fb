package snapshot_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

// FuzzRead feeds arbitrary bytes to snapshot.Read, with the input size both
// unknown (a pipe, gzip) and known (a file). Read must return either a
// *snapshot.Error whose text is one line, or a snapshot whose arrays are
// consistent, so that the analyses can index them without checks.
//
// The seed corpus is the SYNTHETIC snapshots below, the first kilobytes of a
// real one, the bad inputs of badinput_test.go that are small, and the
// committed files in testdata/fuzz/FuzzRead (regenerate those with
// HEAPSCOPE_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds).
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s1, err1 := snapshot.Read(bytes.NewReader(data), snapshot.Options{})
		s2, err2 := snapshot.Read(bytes.NewReader(data), snapshot.Options{Size: int64(len(data))})
		for _, err := range []error{err1, err2} {
			if err != nil {
				checkFuzzError(t, data, err)
			}
		}
		// The size check may reject up front what would fail later anyway,
		// but it must never reject a valid snapshot.
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("size unknown: %v; size known: %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		checkInvariants(t, s1)
		checkInvariants(t, s2)
		if s1.NodeCount() != s2.NodeCount() || s1.EdgeCount() != s2.EdgeCount() || s1.Strings.Len() != s2.Strings.Len() {
			t.Fatalf("size unknown and known parse differently")
		}
	})
}

func checkFuzzError(t *testing.T, data []byte, err error) {
	t.Helper()
	var se *snapshot.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %q (%T) is not a *snapshot.Error", err, err)
	}
	if se.Section == "" || strings.ContainsAny(err.Error(), "\n\r") || !strings.Contains(err.Error(), " (at byte ") {
		t.Fatalf("error %q is not one line naming the section and the offset", err)
	}
	gz := len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
	if se.Offset < 0 || !gz && se.Offset > int64(len(data)) {
		t.Fatalf("error %q: offset outside the %d-byte input", err, len(data))
	}
}

// checkInvariants checks what the analyses rely on in a parsed snapshot.
func checkInvariants(t *testing.T, s *snapshot.Snapshot) {
	t.Helper()
	n, m := s.NodeCount(), s.EdgeCount()
	if uint64(n) != s.Meta.NodeCount || uint64(m) != s.Meta.EdgeCount {
		t.Fatalf("%d nodes and %d edges, header declares %d and %d", n, m, s.Meta.NodeCount, s.Meta.EdgeCount)
	}
	for name, l := range map[string]int{"NodeTypes": len(s.NodeTypes), "NodeNames": len(s.NodeNames), "SelfSizes": len(s.SelfSizes)} {
		if l != n {
			t.Fatalf("len(%s) = %d, want %d", name, l, n)
		}
	}
	if s.TraceNodeIDs != nil && len(s.TraceNodeIDs) != n || s.Detachedness != nil && len(s.Detachedness) != n {
		t.Fatalf("len(TraceNodeIDs) = %d, len(Detachedness) = %d, want %d", len(s.TraceNodeIDs), len(s.Detachedness), n)
	}
	if len(s.EdgeTypes) != m || len(s.EdgeNames) != m {
		t.Fatalf("len(EdgeTypes) = %d, len(EdgeNames) = %d, want %d", len(s.EdgeTypes), len(s.EdgeNames), m)
	}
	if len(s.FirstEdge) != n+1 {
		t.Fatalf("len(FirstEdge) = %d, want NodeCount()+1 = %d", len(s.FirstEdge), n+1)
	}
	if s.FirstEdge[0] != 0 || int(s.FirstEdge[n]) != m {
		t.Fatalf("FirstEdge runs from %d to %d, want 0 to %d", s.FirstEdge[0], s.FirstEdge[n], m)
	}
	for i := 1; i <= n; i++ {
		if s.FirstEdge[i] < s.FirstEdge[i-1] {
			t.Fatalf("FirstEdge[%d] = %d < FirstEdge[%d] = %d", i, s.FirstEdge[i], i-1, s.FirstEdge[i-1])
		}
	}
	for e, to := range s.EdgeTo {
		if int(to) >= n {
			t.Fatalf("EdgeTo[%d] = %d, NodeCount() = %d", e, to, n)
		}
	}
	if int(s.Root) >= n {
		t.Fatalf("Root = %d, NodeCount() = %d", s.Root, n)
	}
	for i := range n {
		if int(s.NodeNames[i]) >= s.Strings.Len() {
			t.Fatalf("node %d: name %d, %d strings", i, s.NodeNames[i], s.Strings.Len())
		}
		_ = s.Name(snapshot.Ordinal(i))
		_ = s.TypeName(snapshot.Ordinal(i))
		_ = s.SelfSize(snapshot.Ordinal(i))
	}
	for e := range m {
		_ = s.EdgeName(snapshot.EdgeIndex(e))
		if src := s.EdgeSource(snapshot.EdgeIndex(e)); e < int(s.FirstEdge[src]) || e >= int(s.FirstEdge[src+1]) {
			t.Fatalf("EdgeSource(%d) = %d, whose edges are %d..%d", e, src, s.FirstEdge[src], s.FirstEdge[src+1])
		}
	}
	for i, l := range s.Locations {
		if int(l.Node) >= n {
			t.Fatalf("location %d: node %d, NodeCount() = %d", i, l.Node, n)
		}
	}
	for i := range s.Strings.Len() {
		_ = snapshot.Display(s.Strings.At(snapshot.StringID(i)))
	}
	for i, tn := range s.TraceTree {
		if tn.Parent < -1 || int(tn.Parent) >= i {
			t.Fatalf("trace node %d: parent %d", i, tn.Parent)
		}
	}
}

// node24Snapshot is a SYNTHETIC snapshot in the Node 24 layout: no
// trace_node_id, extra_native_bytes in the header, a root that is not node 0,
// an unknown node type and an edge type V8 does not write.
const node24Snapshot = `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","detachedness"],` +
	`"node_types":[["hidden","object","future type"],"string","number","number","number","number"],` +
	`"edge_fields":["type","name_or_index","to_node"],` +
	`"edge_types":[["element","property","future edge"],"string_or_number","node"]},` +
	`"node_count":2,"edge_count":3,"root_index":6,"extra_native_bytes":4096},
"nodes":[1,1,3,4294967296,1,0
,2,2,2,0,2,0],
"edges":[2,0,0
,0,7,0
,1,1,0],
"strings":["","Obj","(root)"]}`

// traceSnapshot is a SYNTHETIC snapshot with an allocation-trace tree,
// samples, locations and strings with escapes and lone surrogates.
const traceSnapshot = `{"snapshot":` + tinyMeta + `"node_count":2,"edge_count":1,"trace_function_count":2},
"nodes":[9,0,1,0,1,0,0
,3,1,3,32,0,2,1],
"edges":[2,2,7],
"trace_function_infos":[1,3,4,1,10,5,2,3,4,1,20,7],
"trace_tree":[1,0,0,0,[2,1,3,96,[],3,1,1,32,[4,0,1,8,[]]]],
"samples":[1000,1,2000,3],
"locations":[7,1,9,4],
"unknown_section":{"a":[1,2.5,-3e4,true,false,null,"x"],"b":{}},
"strings":["","\uD800\"\\\/\b\f\n\r\tx","p","f","/s.js"]}`

type fuzzSeed struct {
	name string
	data []byte
}

// fuzzSeeds returns the seed inputs: valid SYNTHETIC snapshots, the head of
// the real one, and the small bad inputs of badinput_test.go.
func fuzzSeeds(t testing.TB) []fuzzSeed {
	_, raw := realSnapshot(t)
	seeds := []fuzzSeed{
		{"valid-tiny", []byte(tinySnapshot)},
		{"valid-tiny-gzip", gzipBytes(t, []byte(tinySnapshot))},
		{"valid-node24", []byte(node24Snapshot)},
		{"valid-trace", []byte(traceSnapshot)},
		{"valid-one-node", []byte(`{"snapshot":` + tinyMeta + `"node_count":1,"edge_count":0},"nodes":[9,0,1,0,0,0,0],"edges":[],"strings":[""]}`)},
		{"real-head-4k", raw[:4096]},
		{"real-head-3k-gzip", gzipBytes(t, raw[:3000])},
	}
	for _, c := range badCases {
		if in := c.input(t); len(in) <= 4096 {
			seeds = append(seeds, fuzzSeed{"bad-" + slug(c.name), in})
		}
	}
	for _, c := range gzipCases {
		if in := c.input(t); len(in) <= 4096 {
			seeds = append(seeds, fuzzSeed{"bad-" + slug(c.name), in})
		}
	}
	return seeds
}

// slug turns a test case name into a file name.
func slug(name string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, name), "-")
}

// committedSeeds are the seeds written to testdata/fuzz/FuzzRead, so that
// `go test` runs them even where the corpus snapshot is absent.
var committedSeeds = map[string]bool{
	"valid-tiny": true, "valid-tiny-gzip": true, "valid-node24": true, "valid-trace": true, "valid-one-node": true,
	"real-head-4k": true, "real-head-3k-gzip": true,
}

// TestWriteFuzzSeeds writes the committed seed corpus in the `go test fuzz
// v1` format when HEAPSCOPE_WRITE_FUZZ_SEEDS is set; otherwise it checks
// that the committed seeds are there.
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	write := os.Getenv("HEAPSCOPE_WRITE_FUZZ_SEEDS") != ""
	n := 0
	seen := map[string]bool{}
	for _, s := range fuzzSeeds(t) {
		if seen[s.name] {
			t.Errorf("two seeds named %s", s.name)
		}
		seen[s.name] = true
		if !committedSeeds[s.name] && !(strings.HasPrefix(s.name, "bad") && len(s.data) <= 1200) {
			continue
		}
		n++
		path := filepath.Join(dir, "seed-"+s.name)
		if !write {
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%v (regenerate with HEAPSCOPE_WRITE_FUZZ_SEEDS=1)", err)
			}
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		text := "go test fuzz v1\n[]byte(" + strconv.QuoteToASCII(string(s.data)) + ")\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n < 20 {
		t.Errorf("only %d seeds", n)
	}
}

// TestValidSeeds: the synthetic seeds that are meant to be valid parse, and
// hold the invariants FuzzRead checks.
func TestValidSeeds(t *testing.T) {
	for _, s := range fuzzSeeds(t) {
		if !strings.HasPrefix(s.name, "valid-") {
			continue
		}
		for _, size := range []int64{0, int64(len(s.data))} {
			sn, err := snapshot.Read(bytes.NewReader(s.data), snapshot.Options{Size: size})
			if err != nil {
				t.Errorf("%s: %v", s.name, err)
				continue
			}
			checkInvariants(t, sn)
		}
	}
	s, err := snapshot.Read(strings.NewReader(node24Snapshot), snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Root != 1 || s.ExtraNativeBytes != 4096 || s.SelfSize(0) != 4294967296 || s.TypeName(0) != "object" ||
		s.TraceNodeIDs != nil || s.EdgeTypes[0] != snapshot.EdgeOther || s.EdgeName(1) != "7" {
		t.Errorf("node24Snapshot: Root %d, ExtraNativeBytes %d, SelfSize(0) %d, TypeName(0) %q, EdgeTypes[0] %v, EdgeName(1) %q",
			s.Root, s.ExtraNativeBytes, s.SelfSize(0), s.TypeName(0), s.EdgeTypes[0], s.EdgeName(1))
	}
	s, err = snapshot.Read(strings.NewReader(traceSnapshot), snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.TraceTree) != 4 || s.TraceTree[3].Parent != 2 || len(s.Samples) != 2 || len(s.TraceFunctionInfos) != 2 ||
		s.Strings.At(1) != "\xed\xa0\x80\"\\/\b\f\n\r\tx" {
		t.Errorf("traceSnapshot: trace tree %+v, %d samples, %d function infos, string 1 %q",
			s.TraceTree, len(s.Samples), len(s.TraceFunctionInfos), s.Strings.At(1))
	}
}
