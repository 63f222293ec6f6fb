package snapshot_test

// Bad-input tests: every kind of malformed snapshot must give one
// *snapshot.Error that names the section and the byte offset, never a panic,
// a hang or an allocation the input cannot justify.
//
// The inputs are made by mutating either tinySnapshot, a small SYNTHETIC
// snapshot written by hand below, or a real Node 22 snapshot from the project
// corpus (testdata/corpus/seed-leak__node-22.23.3__1000.heapsnapshot.gz).

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/snapshot"
)

// tinyMeta is the header of a Node 22 snapshot with the counts left out.
const tinyMeta = `{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],` +
	`"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],` +
	`"edge_fields":["type","name_or_index","to_node"],` +
	`"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],` +
	`"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],` +
	`"trace_node_fields":["id","function_info_index","count","size","children"],` +
	`"sample_fields":["timestamp_us","last_assigned_id"],` +
	`"location_fields":["object_index","script_id","line","column"]},`

// tinySnapshot is a SYNTHETIC, hand-written, valid snapshot: a synthetic
// root (node 0) with an element edge to an object "Foo" (node 1) and a
// property edge "a" to a string (node 2); Foo has a property edge "b" to the
// same string. Node 1 has a location. It is laid out one record per line,
// as V8 writes, so that tests can mutate it with plain text replacement.
const tinySnapshot = `{"snapshot":` + tinyMeta + `"node_count":3,"edge_count":3,"trace_function_count":0},
"nodes":[9,0,1,0,2,0,0
,3,1,3,32,1,0,0
,2,2,5,16,0,0,0],
"edges":[1,0,7
,2,3,14
,2,4,14],
"trace_function_infos":[],
"trace_tree":[],
"samples":[],
"locations":[7,1,2,3],
"strings":["","Foo","hello","a","b"]}
`

// realSnapshot returns the gzipped and the plain bytes of the real snapshot
// the mutation tests start from.
func realSnapshot(t testing.TB) (gz, raw []byte) {
	t.Helper()
	return corpustest.ReadGzip(t, corpustest.Snapshot("seed-leak__node-22.23.3__1000"))
}

// replace returns s with old replaced by new exactly once; it fails the test
// if old does not occur exactly once, so that a mutation never silently
// does nothing.
func replace(t testing.TB, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("mutation %q: found %d times, want 1", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// read parses b as Read does for a stream of unknown size.
func read(b []byte) (*snapshot.Snapshot, error) {
	return snapshot.Read(bytes.NewReader(b), snapshot.Options{})
}

// readSized parses b as ReadFile does for a regular file: the size is known.
func readSized(b []byte) (*snapshot.Snapshot, error) {
	return snapshot.Read(bytes.NewReader(b), snapshot.Options{Size: int64(len(b))})
}

var oneLineError = regexp.MustCompile(`^(\w+|".*"): [^\n]+ \(at byte [0-9]+\)$`)

// checkError asserts that err is a *snapshot.Error for section whose message
// contains want, that its text is one line naming the section and the byte
// offset, and that the offset lies within the input.
func checkError(t *testing.T, err error, inputLen int, section, want string) *snapshot.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s error containing %q", section, want)
	}
	var se *snapshot.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %q (%T) is not a *snapshot.Error", err, err)
	}
	if se.Section != section && !(section == "*" && sections[se.Section]) {
		t.Errorf("error %q: section %q, want %q", err, se.Section, section)
	}
	if !strings.Contains(se.Msg, want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if !oneLineError.MatchString(err.Error()) || !strings.HasPrefix(err.Error(), se.Section+": ") {
		t.Errorf("error %q is not one line of the form \"%s: ... (at byte N)\"", err, section)
	}
	if se.Offset < 0 || inputLen >= 0 && se.Offset > int64(inputLen) {
		t.Errorf("error %q: offset %d outside the input (%d bytes)", err, se.Offset, inputLen)
	}
	return se
}

func TestTinySnapshotIsValid(t *testing.T) {
	s, err := readSized([]byte(tinySnapshot))
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeCount() != 3 || s.EdgeCount() != 3 || s.Strings.Len() != 5 {
		t.Fatalf("got %d nodes, %d edges, %d strings; want 3, 3, 5", s.NodeCount(), s.EdgeCount(), s.Strings.Len())
	}
	if got := s.Name(1); got != "Foo" {
		t.Errorf("Name(1) = %q, want Foo", got)
	}
	if got, want := s.FirstEdge, []snapshot.EdgeIndex{0, 2, 3, 3}; !slices.Equal(got, want) {
		t.Errorf("FirstEdge = %v, want %v", got, want)
	}
	if got, want := s.EdgeTo, []snapshot.Ordinal{1, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("EdgeTo = %v, want %v", got, want)
	}
	if len(s.Locations) != 1 || s.Locations[0] != (snapshot.Location{Node: 1, ScriptID: 1, Line: 2, Column: 3}) {
		t.Errorf("Locations = %+v", s.Locations)
	}
	// The same through gzip and with an unknown size.
	if _, err := read(gzipBytes(t, []byte(tinySnapshot))); err != nil {
		t.Errorf("gzipped: %v", err)
	}
}

// TestPrettyPrinted: white space anywhere JSON allows it, as in a snapshot
// that went through a JSON pretty-printer, and empty arrays written "[ ]".
func TestPrettyPrinted(t *testing.T) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(tinySnapshot), "\t", "  "); err != nil {
		t.Fatal(err)
	}
	if s, err := readSized(buf.Bytes()); err != nil || s.EdgeCount() != 3 {
		t.Fatalf("indented tinySnapshot: %v", err)
	}
	// Without edges, and every empty array with white space inside.
	in := replace(t, tinySnapshot, `"edge_count":3`, `"edge_count":0`)
	in = replace(t, in, "[9,0,1,0,2,0,0\n,3,1,3,32,1,0,0", "[9,0,1,0,0,0,0\n,3,1,3,32,0,0,0")
	in = replace(t, in, "\"edges\":[1,0,7\n,2,3,14\n,2,4,14]", "\"edges\":[]")
	buf.Reset()
	if err := json.Indent(&buf, []byte(in), "", " "); err != nil {
		t.Fatal(err)
	}
	pretty := strings.ReplaceAll(buf.String(), "[]", "[ \r\n\t]")
	s, err := readSized([]byte(pretty))
	if err != nil {
		t.Fatalf("%v in\n%s", err, pretty)
	}
	if s.NodeCount() != 3 || s.EdgeCount() != 0 {
		t.Errorf("%d nodes, %d edges", s.NodeCount(), s.EdgeCount())
	}
}

// badCase is one malformed input and the error it must give.
type badCase struct {
	name    string
	input   func(t testing.TB) []byte
	section string
	want    string // substring of the message
}

// tiny returns a case input: tinySnapshot with old replaced by new.
func tiny(old, new string) func(t testing.TB) []byte {
	return func(t testing.TB) []byte { return []byte(replace(t, tinySnapshot, old, new)) }
}

func literal(s string) func(t testing.TB) []byte {
	return func(testing.TB) []byte { return []byte(s) }
}

// real returns a case input: the corpus snapshot with old replaced by new.
func real(old, new string) func(t testing.TB) []byte {
	return func(t testing.TB) []byte {
		_, raw := realSnapshot(t)
		return []byte(replace(t, string(raw), old, new))
	}
}

// The first records of the corpus snapshot's sections, as the mutations
// below address them.
const (
	realHeaderCounts = `"node_count":56888,"edge_count":245824`
	realFirstNode    = `"nodes":[9,1,1,0,6,0,0` + "\n"
	realFirstEdges   = `"edges":[`
)

var badCases = []badCase{
	// Not a snapshot at all.
	{"empty file", literal(""), "header", "not a heap snapshot"},
	{"only white space", literal(" \n\t "), "header", "unexpected end of input"},
	{"not JSON", literal("hello, world\n"), "header", "not a heap snapshot"},
	{"JSON array", literal("[1,2,3]"), "header", "not a heap snapshot"},
	{"JSON string", literal(`"snapshot"`), "header", "not a heap snapshot"},
	{"empty object", literal("{}"), "header", `expected '"'`},
	// What Bun.generateHeapSnapshot() returns, JSON.stringify'd (SYNTHETIC).
	{"JavaScriptCore (Bun) snapshot", literal(`{"version":2,"type":"Inspector","nodes":[0,0,0,0],"nodeClassNames":["<root>"],"edges":[],"edgeTypes":["Internal","Property","Index","Variable"],"edgeNames":[]}`),
		"header", "not a V8 heap snapshot (this looks like a JavaScriptCore/Bun snapshot: it starts with \"version\""},
	{"JavaScriptCore snapshot, nodes first", literal(`{"nodes":[0,0,0,0],"nodeClassNames":["<root>"],"version":2}`), "header", `section "nodes" comes before the snapshot header`},
	{"JavaScriptCore GC debugging snapshot", literal(`{"type":"GCDebugging","version":2,"nodes":[]}`), "header", "JavaScriptCore/Bun snapshot: it starts with \"type\""},
	{"only the snapshot header", literal(`{"snapshot":` + tinyMeta + `"node_count":1,"edge_count":0}}`), "nodes", "section missing"},
	{"no nodes at all", literal(`{"snapshot":` + tinyMeta + `"node_count":0,"edge_count":0},"nodes":[],"edges":[],"strings":[]}`), "snapshot", "node_count is 0"},

	// Truncated and corrupt JSON.
	{"truncated in the header", func(t testing.TB) []byte { return []byte(tinySnapshot[:100]) }, "snapshot", "unexpected end of input"},
	{"truncated in nodes", func(t testing.TB) []byte { return []byte(tinySnapshot[:strings.Index(tinySnapshot, ",3,1,3")]) }, "nodes", "unexpected end of input"},
	{"truncated in strings", func(t testing.TB) []byte { return []byte(tinySnapshot[:len(tinySnapshot)-10]) }, "strings", "unexpected end of input"},
	{"truncated before the final brace", func(t testing.TB) []byte { return []byte(strings.TrimRight(tinySnapshot, "}\n")) }, "header", "unexpected end of input"},
	{"real snapshot truncated in strings", func(t testing.TB) []byte {
		_, raw := realSnapshot(t)
		return raw[:bytes.Index(raw, []byte(`"strings":[`))+5000]
	}, "strings", "unexpected end of input"},
	{"corrupt JSON in the header", tiny(`"node_fields":["type",`, `"node_fields":["type",,`), "snapshot", "invalid JSON"},
	{"header not an object", tiny(`{"snapshot":{"meta"`, `{"snapshot":["meta"`), "snapshot", "expected an object"},
	{"nodes not an array", tiny(`"nodes":[`, `"nodes":{`), "nodes", `expected '['`},
	{"missing comma in nodes", tiny("[9,0,1,0,2,0,0\n,", "[9,0,1,0 2,0,0\n,"), "nodes", "missing comma"},
	{"double comma in nodes", tiny(",3,1,3,32,", ",3,1,,3,32,"), "nodes", "expected a number, found ','"},
	{"trailing comma in edges", tiny("2,4,14]", "2,4,14,]"), "edges", "expected a number, found ']'"},
	{"string in nodes", tiny(",2,2,5,16,", `,2,"2",5,16,`), "nodes", `unexpected '"'`},
	{"null in edges", tiny("2,3,14", "2,null,14"), "edges", "unexpected 'n'"},
	{"unterminated string", tiny(`"hello","a"`, `"hello,"a"`), "strings", "expected ',' or ']' between strings"},
	{"bad escape in string", tiny(`"hello"`, `"hel\xlo"`), "strings", `invalid escape \x`},
	{"bad unicode escape", tiny(`"hello"`, `"hel\u12G4lo"`), "strings", `invalid \u escape`},
	{"control character in string", tiny(`"hello"`, "\"hel\x01lo\""), "strings", "control character 0x01"},
	{"number in strings", tiny(`"hello"`, `42`), "strings", `expected '"'`},
	{"missing comma between sections", tiny("],\n\"edges\"", "]\n\"edges\""), "header", `expected ',' or '}' after section "nodes"`},
	{"real snapshot with a byte of garbage in nodes", real(realFirstNode, `"nodes":[9,1,1,0,6,0,0`+"\n#"), "nodes", "unexpected '#' in number array"},

	// Wrong or missing meta.
	{"missing meta", tiny(`{"snapshot":{"meta":{`, `{"snapshot":{"metadata":{`), "snapshot", "missing meta.node_types"},
	{"node_fields lacks edge_count", tiny(`"self_size","edge_count","trace_node_id"`, `"self_size","trace_node_id"`), "snapshot", `meta.node_fields lacks "edge_count"`},
	{"edge_fields lacks to_node", tiny(`"edge_fields":["type","name_or_index","to_node"]`, `"edge_fields":["type","name_or_index"]`), "snapshot", `meta.edge_fields lacks "to_node"`},
	{"node_fields not strings", tiny(`"node_fields":["type",`, `"node_fields":[1,`), "snapshot", "invalid JSON"},
	{"node_types without the enum", tiny(`"node_types":[["hidden",`, `"node_types":["x",["hidden",`), "snapshot", "meta.node_types[0] is not a list of type names"},
	{"empty node type enum", tiny(`"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"]`, `"node_types":[[]`), "snapshot", "meta lacks the node or edge type enum"},
	{"missing node_count", tiny(`"node_count":3,`, ``), "snapshot", "missing node_count"},
	{"missing edge_count", tiny(`,"edge_count":3`, ``), "snapshot", "missing edge_count"},
	{"node_count a string", tiny(`"node_count":3`, `"node_count":"3"`), "snapshot", "invalid JSON"},
	{"too many fields", tiny(`"node_fields":["type",`, `"node_fields":["type",`+strings.Repeat(`"x",`, 70)), "snapshot", "too many fields"},
	{"root_index not a node", tiny(`"trace_function_count":0}`, `"trace_function_count":0,"root_index":5}`), "snapshot", "root_index 5 is not a node index"},
	{"root_index beyond the nodes", tiny(`"trace_function_count":0}`, `"trace_function_count":0,"root_index":21}`), "snapshot", "root_index 21 is not a node index"},
	{"real snapshot with node_fields reordered", real(`"node_fields":["type","name"`, `"node_fields":["name","type"`), "nodes", "node 14: type 15 is not in meta.node_types"},

	// Edges pointing outside the node array.
	{"to_node past the last node", tiny("2,4,14]", "2,4,21]"), "edges", "to_node 21 does not point at a node"},
	{"to_node inside a node record", tiny("2,3,14", "2,3,15"), "edges", "to_node 15 does not point at a node"},
	{"real snapshot to_node far outside", real(realFirstEdges, realFirstEdges+"1,1,999999999,"), "edges", "to_node 999999999 does not point at a node"},
	{"location object_index outside", tiny(`"locations":[7,`, `"locations":[700,`), "locations", "object_index 700 does not point at a node"},

	// Edge counts that do not add up.
	{"edge counts add up to less", tiny("[9,0,1,0,2,0,0", "[9,0,1,0,1,0,0"), "nodes", "add up to 2, but edge_count is 3"},
	{"edge counts add up to more", tiny(",2,2,5,16,0,0,0]", ",2,2,5,16,5,0,0]"), "nodes", "add up to more than edge_count 3"},
	{"edges array shorter than edge_count", tiny(",2,4,14]", "]"), "edges", "6 values, but edge_count 3 × 3 fields needs 9"},
	{"edges array longer than edge_count", tiny(",2,4,14]", ",2,4,14,2,4,14]"), "edges", "more values than edge_count 3 declares"},
	{"nodes array shorter than node_count", tiny(",2,2,5,16,0,0,0]", ",2,2,5,16,0,0]"), "nodes", "20 values, but node_count 3 × 7 fields needs 21"},
	{"nodes array longer than node_count", tiny(",2,2,5,16,0,0,0]", ",2,2,5,16,0,0,0,2,2,5,16,0,0,0]"), "nodes", "more values than node_count 3 declares"},
	{"real snapshot with one edge too many", real(realFirstNode, `"nodes":[9,1,1,0,7,0,0`+"\n"), "nodes", "add up to more than edge_count 245824"},
	{"real snapshot with edge_count one less", real(realHeaderCounts, `"node_count":56888,"edge_count":245823`), "nodes", "add up to more than edge_count 245823"},
	{"real snapshot with node_count one less", real(realHeaderCounts, `"node_count":56887,"edge_count":245824`), "nodes", "more values than node_count 56887 declares"},

	// String indices out of range.
	{"node name not in strings", tiny(",3,1,3,32,", ",3,99,3,32,"), "nodes", "node 1: name index 99 is not in strings (5 strings)"},
	{"edge name not in strings", tiny("2,3,14", "2,5,14"), "edges", "edge 1: name index 5 is not in strings (5 strings)"},
	{"strings section empty", tiny(`"strings":["","Foo","hello","a","b"]`, `"strings":[]`), "nodes", "node 0: name index 0 is not in strings (0 strings)"},
	{"real snapshot with a node name past the strings", real(realFirstNode, `"nodes":[9,4000000000,1,0,6,0,0`+"\n"), "nodes", "node 0: name index 4000000000 is not in strings"},

	// Numbers out of range and numbers that are not non-negative integers.
	{"negative number in nodes", tiny(",3,1,3,32,", ",3,1,-3,32,"), "nodes", "not a non-negative integer"},
	{"float in nodes", tiny(",3,1,3,32,", ",3,1,3,32.5,"), "nodes", "not a non-negative integer"},
	{"exponent in edges", tiny("2,3,14", "2,3,1e1"), "edges", "not a non-negative integer"},
	{"leading zero in nodes", tiny(",3,1,3,32,", ",3,1,3,032,"), "nodes", "number with a leading zero"},
	{"leading zeros in edges", tiny("2,3,14", "2,3,0014"), "edges", "number with a leading zero"},
	{"leading zero in locations", tiny(`"locations":[7,1,2,3]`, `"locations":[7,1,02,3]`), "locations", "number with a leading zero"},
	{"real snapshot with a leading zero", real(realFirstNode, `"nodes":[9,1,1,0,6,0,007`+"\n"), "nodes", "number with a leading zero"},
	{"number beyond 2^53 in nodes", tiny(",3,1,3,32,", ",3,1,3,99999999999999999,"), "nodes", "number out of range"},
	{"node id beyond 32 bits", tiny(",3,1,3,32,", ",3,1,4294967296,32,"), "nodes", "node 1: id 4294967296 out of range"},
	{"node type not in the enum", tiny(",3,1,3,32,", ",15,1,3,32,"), "nodes", "node 1: type 15 is not in meta.node_types"},
	{"edge type not in the enum", tiny("2,3,14", "7,3,14"), "edges", "edge 1: type 7 is not in meta.edge_types"},
	{"edge name beyond 32 bits", tiny("2,3,14", "2,4294967296,14"), "edges", "edge 1: name_or_index 4294967296 out of range"},
	{"detachedness out of range", tiny(",2,2,5,16,0,0,0]", ",2,2,5,16,0,0,3]"), "nodes", "node 2: detachedness 3 out of range"},
	{"trace_node_id beyond 32 bits", tiny(",2,2,5,16,0,0,0]", ",2,2,5,16,0,4294967296,0]"), "nodes", "node 2: trace_node_id 4294967296 out of range"},
	{"negative node_count", tiny(`"node_count":3`, `"node_count":-3`), "snapshot", "node_count is not a valid count: -3"},
	{"fractional node_count", tiny(`"node_count":3`, `"node_count":3.5`), "snapshot", "node_count is not a valid count: 3.5"},
	{"node_count 1e300", tiny(`"node_count":3`, `"node_count":1e300`), "snapshot", "node_count is not a valid count"},
	{"node_count beyond 2^32", tiny(`"node_count":3`, `"node_count":4294967296`), "snapshot", "exceeds what heapscope supports"},
	{"location line beyond 32 bits", tiny(`"locations":[7,1,2,3]`, `"locations":[7,1,2147483648,3]`), "locations", "location 0: value out of range"},
	{"negative location script", tiny(`"locations":[7,1,2,3]`, `"locations":[7,-1,2,3]`), "locations", "location 0: value out of range"},
	{"float in locations", tiny(`"locations":[7,1,2,3]`, `"locations":[7,1,2.5,3]`), "locations", "number is not an integer"},
	{"more locations than nodes", tiny(`"locations":[7,1,2,3]`, `"locations":[7,1,2,3,7,1,2,3,7,1,2,3,7,1,2,3]`), "locations", "more locations than nodes (3)"},
	{"location record incomplete", tiny(`"locations":[7,1,2,3]`, `"locations":[7,1,2]`), "locations", "not a multiple of 4 fields"},
	{"negative sample", tiny(`"samples":[]`, `"samples":[1,-1]`), "samples", "sample 0: negative value"},
	{"huge number in samples", tiny(`"samples":[]`, `"samples":[1,99999999999999999]`), "samples", "number out of range"},
	{"trace node out of range", tiny(`"trace_tree":[]`, `"trace_tree":[1,0,1,-5,[]]`), "trace_tree", "trace node value -5 out of range"},
	{"trace node too short", tiny(`"trace_tree":[]`, `"trace_tree":[1,0,1,[]]`), "trace_tree", "expected a number, found '['"},
	{"trace node children not an array", tiny(`"trace_tree":[]`, `"trace_tree":[1,0,1,2,3]`), "trace_tree", "trace node children must be an array"},
	{"trace node missing children", tiny(`"trace_tree":[]`, `"trace_tree":[1,0,1,2]`), "trace_tree", "trace node has 4 fields, want 5"},
	{"trace tree refers to a missing function", tiny(`"trace_function_infos":[],
"trace_tree":[]`, `"trace_function_infos":[1,1,1,1,1,1],
"trace_tree":[1,7,1,2,[]]`), "trace_tree", "trace node 0: function_info_index 7 out of range"},
	{"trace function name not in strings", tiny(`"trace_function_infos":[]`, `"trace_function_infos":[1,9,0,1,1,1]`), "trace_function_infos", "function info 0: string index out of range"},

	// Declared counts far beyond what the file can hold (the size is known).
	{"node_count far beyond the file", tiny(`"node_count":3`, `"node_count":4000000000`), "snapshot", "need at least"},
	{"edge_count far beyond the file", tiny(`"edge_count":3`, `"edge_count":4000000000`), "snapshot", "need at least"},
	{"real snapshot with node_count ×1000", real(realHeaderCounts, `"node_count":56888000,"edge_count":245824`), "snapshot", "declared node_count 56888000 and edge_count 245824 need at least"},

	// Structure: sections out of place.
	{"duplicate nodes section", tiny(`"edges":[`, `"nodes":[],"edges":[`), "header", `duplicate section "nodes"`},
	{"duplicate snapshot header", tiny(`"trace_function_infos":[],`, `"trace_function_infos":[],"snapshot":{},`), "header", `duplicate section "snapshot"`},
	{"nodes before the snapshot header", literal(`{"nodes":[9,0,1,0,0,0,0],"snapshot":` + tinyMeta + `"node_count":1,"edge_count":0},"edges":[],"strings":[""]}`), "header", `section "nodes" comes before the snapshot header`},
	{"missing strings section", tiny(",\n\"strings\":[\"\",\"Foo\",\"hello\",\"a\",\"b\"]", ""), "strings", "section missing"},
	{"missing edges section", tiny("\"edges\":[1,0,7\n,2,3,14\n,2,4,14],\n", ""), "edges", "section missing"},
	{"trailing garbage", func(t testing.TB) []byte { return []byte(tinySnapshot + "garbage") }, "trailer", "data after the end of the snapshot"},
	{"a second snapshot appended", func(t testing.TB) []byte { return []byte(tinySnapshot + tinySnapshot) }, "trailer", "data after the end of the snapshot"},
	{"real snapshot with trailing garbage", func(t testing.TB) []byte {
		_, raw := realSnapshot(t)
		return append(append([]byte(nil), raw...), "\x00\x00\x00"...)
	}, "trailer", "data after the end of the snapshot"},
	{"unknown section without a value", tiny(`"samples":[]`, `"extra":}`), "extra", "unexpected '}'"},
	{"unknown section with an empty name", tiny(`"samples":[]`, `"":}`), `""`, "unexpected '}'"},
	{"unknown section name with a newline", tiny(`"samples":[]`, `"a\nb":}`), `"a\nb"`, "unexpected '}'"},
	{"unknown section truncated", func(t testing.TB) []byte {
		return []byte(replace(t, tinySnapshot, `"samples":[]`, `"extra":[[1,{"a":"b"`)[:strings.Index(tinySnapshot, `"samples":[]`)+30])
	}, "extra", "unexpected end of input"},
}

// gzipCases are broken gzip streams. The decompressed offset is what the
// error reports.
var gzipCases = []badCase{
	{"gzip header only", func(t testing.TB) []byte { return gzipBytes(t, []byte(tinySnapshot))[:10] }, "header", "unexpected end of input (file truncated?)"},
	{"gzip magic only", literal("\x1f\x8b"), "gzip", "unexpected EOF"},
	{"gzip with a corrupt header", literal("\x1f\x8b\x09\x00\x00\x00\x00\x00\x00\x03garbage"), "gzip", "invalid header"},
	{"gzip truncated in the middle", func(t testing.TB) []byte {
		gz, _ := realSnapshot(t)
		return gz[:len(gz)/2]
	}, "edges", "unexpected end of input (file truncated?)"},
	{"gzip truncated in the trailer", func(t testing.TB) []byte {
		gz := gzipBytes(t, []byte(tinySnapshot))
		return gz[:len(gz)-4]
	}, "trailer", "unexpected end of input (file truncated?)"},
	{"gzip with a wrong checksum", func(t testing.TB) []byte {
		gz := gzipBytes(t, []byte(tinySnapshot))
		gz[len(gz)-8] ^= 0xff // the CRC-32 in the trailer
		return gz
	}, "trailer", "read failed: gzip: invalid checksum"},
	{"gzip with corrupt deflate data", func(t testing.TB) []byte {
		gz, _ := realSnapshot(t)
		gz = append([]byte(nil), gz...)
		for i := len(gz) / 3; i < len(gz)/3+64; i++ {
			gz[i] ^= 0x55
		}
		return gz
	}, "*", ""}, // what flate detects first, and where, is its business
	{"gzip followed by garbage", func(t testing.TB) []byte {
		return append(gzipBytes(t, []byte(tinySnapshot)), "garbage!garbage!"...)
	}, "trailer", "trailing data after the gzip stream"},
	// gzip.Reader took these for the start of a truncated member.
	{"gzip followed by a few bytes", func(t testing.TB) []byte {
		return append(gzipBytes(t, []byte(tinySnapshot)), "\n\x00\x00"...)
	}, "trailer", "trailing data after the gzip stream"},
	{"gzip followed by a gzip magic", func(t testing.TB) []byte {
		return append(gzipBytes(t, []byte(tinySnapshot)), 0x1f, 0x8b, 8)
	}, "trailer", "unexpected end of input"},
	{"gzip of a truncated snapshot", func(t testing.TB) []byte {
		return gzipBytes(t, []byte(tinySnapshot[:200]))
	}, "snapshot", "unexpected end of input"},
	{"gzip of an empty file", func(t testing.TB) []byte { return gzipBytes(t, nil) }, "header", "not a heap snapshot"},
}

func TestBadInput(t *testing.T) {
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			in := c.input(t)
			// Both with the size known (a file) and unknown (a pipe).
			_, err := readSized(in)
			se := checkError(t, err, len(in), c.section, c.want)
			_, err2 := read(in)
			if strings.Contains(c.want, "need at least") {
				// Without the size only the end of the nodes tells.
				checkError(t, err2, len(in), "nodes", ", but ")
				return
			}
			if err2 == nil || err2.Error() != se.Error() {
				t.Errorf("size unknown: error %v, want the same as with the size known: %v", err2, se)
			}
			// Gzipped, the same error at the same (decompressed) offset.
			_, err3 := read(gzipBytes(t, in))
			if err3 == nil || err3.Error() != se.Error() {
				t.Errorf("gzipped: error %v, want %v", err3, se)
			}
		})
	}
}

func TestBadGzip(t *testing.T) {
	for _, c := range gzipCases {
		t.Run(c.name, func(t *testing.T) {
			in := c.input(t)
			_, err := read(in)
			checkError(t, err, -1, c.section, c.want)
			_, err = readSized(in)
			checkError(t, err, -1, c.section, c.want)
		})
	}
}

// TestBadFiles reads the hand-made files in testdata/bad through ReadFile.
func TestBadFiles(t *testing.T) {
	for _, c := range badFiles {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", c.file)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = snapshot.ReadFile(path, snapshot.Options{})
			size := int(st.Size())
			if strings.HasSuffix(c.file, ".gz") {
				size = -1
			}
			checkError(t, err, size, c.section, c.want)
		})
	}
}

// badFiles lists testdata/bad: small SYNTHETIC inputs, each broken in one
// way; cmd/heapscope's tests run the CLI on the same files.
var badFiles = []struct{ file, section, want string }{
	{"empty.heapsnapshot", "header", "not a heap snapshot"},
	{"not-json.heapsnapshot", "header", "not a heap snapshot"},
	{"truncated.heapsnapshot", "edges", "unexpected end of input"},
	{"corrupt-json.heapsnapshot", "nodes", "missing comma"},
	{"missing-meta.heapsnapshot", "snapshot", "missing meta.node_types"},
	{"wrong-meta.heapsnapshot", "snapshot", `meta.node_fields lacks "edge_count"`},
	{"edge-outside-nodes.heapsnapshot", "edges", "to_node 21 does not point at a node"},
	{"edge-counts-mismatch.heapsnapshot", "nodes", "add up to 2, but edge_count is 3"},
	{"string-index-out-of-range.heapsnapshot", "nodes", "name index 99 is not in strings"},
	{"number-out-of-range.heapsnapshot", "nodes", "number out of range"},
	{"negative-number.heapsnapshot", "nodes", "not a non-negative integer"},
	{"float.heapsnapshot", "nodes", "not a non-negative integer"},
	{"huge-node-count.heapsnapshot", "snapshot", "need at least"},
	{"huge-node-count.heapsnapshot.gz", "nodes", "values, but node_count 4000000000"},
	{"duplicate-section.heapsnapshot", "header", `duplicate section "nodes"`},
	{"nodes-before-header.heapsnapshot", "header", `section "nodes" comes before the snapshot header`},
	{"trailing-garbage.heapsnapshot", "trailer", "data after the end of the snapshot"},
	{"truncated.heapsnapshot.gz", "header", "unexpected end of input"},
	{"corrupt.heapsnapshot.gz", "trailer", "invalid checksum"},
	{"trailing-garbage.heapsnapshot.gz", "trailer", "trailing data after the gzip stream"},
}

// TestWriteBadFiles regenerates testdata/bad from tinySnapshot when run
// with HEAPSCOPE_WRITE_BAD=1; normally it checks that the files are current.
func TestWriteBadFiles(t *testing.T) {
	want := map[string][]byte{}
	add := func(name string, b []byte) { want[name] = b }
	add("empty.heapsnapshot", nil)
	add("not-json.heapsnapshot", []byte("This is not a heap snapshot (synthetic bad input).\n"))
	add("truncated.heapsnapshot", []byte(tinySnapshot[:strings.Index(tinySnapshot, ",2,4,14]")]))
	add("corrupt-json.heapsnapshot", []byte(replace(t, tinySnapshot, "[9,0,1,0,2,0,0\n,", "[9,0,1,0 2,0,0\n,")))
	add("missing-meta.heapsnapshot", []byte(replace(t, tinySnapshot, `{"snapshot":{"meta":{`, `{"snapshot":{"metadata":{`)))
	add("wrong-meta.heapsnapshot", []byte(replace(t, tinySnapshot, `"self_size","edge_count","trace_node_id"`, `"self_size","trace_node_id"`)))
	add("edge-outside-nodes.heapsnapshot", []byte(replace(t, tinySnapshot, "2,4,14]", "2,4,21]")))
	add("edge-counts-mismatch.heapsnapshot", []byte(replace(t, tinySnapshot, "[9,0,1,0,2,0,0", "[9,0,1,0,1,0,0")))
	add("string-index-out-of-range.heapsnapshot", []byte(replace(t, tinySnapshot, ",3,1,3,32,", ",3,99,3,32,")))
	add("number-out-of-range.heapsnapshot", []byte(replace(t, tinySnapshot, ",3,1,3,32,", ",3,1,3,99999999999999999,")))
	add("negative-number.heapsnapshot", []byte(replace(t, tinySnapshot, ",3,1,3,32,", ",3,1,-3,32,")))
	add("float.heapsnapshot", []byte(replace(t, tinySnapshot, ",3,1,3,32,", ",3,1,3,32.5,")))
	huge := replace(t, tinySnapshot, `"node_count":3`, `"node_count":4000000000`)
	add("huge-node-count.heapsnapshot", []byte(huge))
	add("huge-node-count.heapsnapshot.gz", gzipBytes(t, []byte(huge)))
	add("duplicate-section.heapsnapshot", []byte(replace(t, tinySnapshot, `"edges":[`, `"nodes":[],"edges":[`)))
	add("nodes-before-header.heapsnapshot", []byte(`{"nodes":[9,0,1,0,0,0,0],"snapshot":`+tinyMeta+`"node_count":1,"edge_count":0},"edges":[],"strings":[""]}`+"\n"))
	add("trailing-garbage.heapsnapshot", []byte(tinySnapshot+"synthetic trailing garbage\n"))
	gz := gzipBytes(t, []byte(tinySnapshot))
	add("truncated.heapsnapshot.gz", gz[:len(gz)-30])
	bad := append([]byte(nil), gz...)
	bad[len(bad)-8] ^= 0xff
	add("corrupt.heapsnapshot.gz", bad)
	add("trailing-garbage.heapsnapshot.gz", append(gz[:len(gz):len(gz)], "\n\x00\x00"...))

	if len(want) != len(badFiles) {
		t.Fatalf("%d files generated, badFiles lists %d", len(want), len(badFiles))
	}
	dir := filepath.Join("testdata", "bad")
	for name, b := range want {
		if os.Getenv("HEAPSCOPE_WRITE_BAD") != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v (regenerate with HEAPSCOPE_WRITE_BAD=1)", err)
			continue
		}
		// Gzip output may differ between Go versions; compare the content.
		if strings.HasSuffix(name, ".gz") {
			continue
		}
		if !bytes.Equal(got, b) {
			t.Errorf("testdata/bad/%s is stale (regenerate with HEAPSCOPE_WRITE_BAD=1)", name)
		}
	}
}

// TestLoneSurrogate: V8 writes lone UTF-16 surrogates as \uXXXX escapes;
// they are valid input and are kept as WTF-8.
func TestLoneSurrogate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`\uD800`, "\xed\xa0\x80"},
		{`a\uD800b`, "a\xed\xa0\x80b"},
		{`\uDC00`, "\xed\xb0\x80"},
		{`\uD800\uD800`, "\xed\xa0\x80\xed\xa0\x80"},
		{`\uD800\u0041`, "\xed\xa0\x80A"},
		{`\uD83D\uDE00`, "\U0001F600"},
		{`\ud83d\ude00`, "\U0001F600"},
		{`\uDBFF`, "\xed\xaf\xbf"},
	} {
		in := replace(t, tinySnapshot, `"hello"`, `"`+c.in+`"`)
		s, err := readSized([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := s.Strings.At(2); got != c.want {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
}

// firstChunk is the size of the scanner's first read-ahead chunk
// (firstChunkSize in scanner.go): the first place where a token can straddle
// two chunks.
const firstChunk = 64 << 10

// escapesSnapshot is a SYNTHETIC snapshot whose strings are mostly escapes,
// valid surrogate pairs and lone surrogates, so that a chunk boundary falls
// inside a \uXXXX escape or between a high and a low surrogate.
const escapesSnapshot = `{"snapshot":` + tinyMeta + `"node_count":1,"edge_count":0},
"nodes":[9,0,1,0,0,0,0],"edges":[],
"strings":["\uD800\uDC00\uD800x\uDBFF\uDFFF\u00e9\n\uDC00\uD83D","\uD83D\uDE00\uD83D\uDE00\uD800\uD800\uDFFF","\"\\\/\b\f\r\t\u0000\uFFFF"]}`

// TestChunkBoundaries moves the scanner's first chunk boundary across every
// byte of the synthetic snapshots, by padding them with leading white space:
// every token (strings, escapes, surrogate pairs, numbers, the header) must
// parse the same when it straddles two chunks.
func TestChunkBoundaries(t *testing.T) {
	for name, in := range map[string]string{
		"tinySnapshot": tinySnapshot, "traceSnapshot": traceSnapshot, "node24Snapshot": node24Snapshot, "escapesSnapshot": escapesSnapshot,
	} {
		want, err := read([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		padded := []byte(strings.Repeat(" ", firstChunk) + in)
		for k := 0; k <= len(in); k++ {
			got, err := read(padded[k:]) // the boundary falls before in[k]
			if err != nil {
				t.Fatalf("%s, boundary before byte %d: %v", name, k, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, boundary before byte %d: parsed differently", name, k)
			}
		}
	}
	s, err := read([]byte(escapesSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{
		"\U00010000\xed\xa0\x80x\U0010FFFF\u00e9\n\xed\xb0\x80\xed\xa0\xbd",
		"\U0001F600\U0001F600\xed\xa0\x80\U000103FF",
		"\"\\/\b\f\r\t\x00\uFFFF",
	} {
		if got := s.Strings.At(snapshot.StringID(i)); got != want {
			t.Errorf("string %d = %q, want %q", i, got, want)
		}
	}
}

// TestBadInputAtChunkBoundaries: the small bad inputs give the same error,
// shifted by the padding, wherever the first chunk boundary falls.
func TestBadInputAtChunkBoundaries(t *testing.T) {
	for _, c := range badCases {
		in := c.input(t)
		if len(in) > 4096 {
			continue
		}
		_, err := read(in)
		var want *snapshot.Error
		if !errors.As(err, &want) || want.Offset == 0 {
			continue // "not a heap snapshot" is only said at offset 0
		}
		padded := append([]byte(strings.Repeat(" ", firstChunk)), in...)
		for k := 0; k < len(in); k += 11 {
			_, err := read(padded[k:])
			var got *snapshot.Error
			pad := int64(firstChunk - k)
			if !errors.As(err, &got) || got.Section != want.Section || got.Msg != want.Msg || got.Offset-pad != want.Offset {
				t.Errorf("%s, boundary before byte %d: error %v, want %v shifted by %d", c.name, k, err, want, pad)
				break
			}
		}
	}
}

// TestTruncatedEverywhere cuts the real snapshot at about 50 offsets, and
// the tiny one at every offset: always an error that says the input ends
// early, never a panic.
func TestTruncatedEverywhere(t *testing.T) {
	_, raw := realSnapshot(t)
	cuts := []int{1, 2, len(raw) - 2, len(raw) - 1}
	for n := len(raw) / 50; n < len(raw); n += len(raw) / 50 {
		cuts = append(cuts, n)
	}
	for _, n := range cuts {
		checkTruncated(t, raw[:n])
	}
	for n := 1; n < len(tinySnapshot)-1; n++ {
		checkTruncated(t, []byte(tinySnapshot[:n]))
	}
}

var sections = map[string]bool{
	"gzip": true, "trailer": true, "header": true, "snapshot": true, "nodes": true, "edges": true, "strings": true, "locations": true,
	"trace_function_infos": true, "trace_tree": true, "samples": true,
}

// checkTruncated: a truncated snapshot of unknown size fails at its end
// ("unexpected end of input"); with the size known it may fail earlier, in
// the header, when the declared counts do not fit in what is left.
func checkTruncated(t *testing.T, in []byte) {
	t.Helper()
	_, err := read(in)
	var se *snapshot.Error
	if !errors.As(err, &se) {
		t.Fatalf("cut at %d: error %v, want a *snapshot.Error", len(in), err)
	}
	if !sections[se.Section] || !strings.Contains(se.Msg, "unexpected end of input") || se.Offset != int64(len(in)) ||
		!oneLineError.MatchString(err.Error()) {
		t.Fatalf("cut at %d: error %q, want one line \"SECTION: unexpected end of input (file truncated?) (at byte %d)\"", len(in), err, len(in))
	}
	_, err2 := readSized(in)
	if err2 == nil || err2.Error() != err.Error() && !strings.HasPrefix(err2.Error(), "snapshot: declared node_count") {
		t.Fatalf("cut at %d, size known: error %v, want %v or the header's size check", len(in), err2, err)
	}
}

// TestHugeCountKnownSize: a tiny file that declares four billion nodes fails
// in the header, before the parser reserves anything.
func TestHugeCountKnownSize(t *testing.T) {
	in := []byte(replace(t, tinySnapshot, `"node_count":3,"edge_count":3`, `"node_count":4000000000,"edge_count":4000000000`))
	var err error
	alloc := totalAlloc(func() { _, err = readSized(in) })
	checkError(t, err, len(in), "snapshot", "need at least")
	if alloc > 32<<20 {
		t.Errorf("allocated %d MB for a %d-byte input", alloc>>20, len(in))
	}
}

// TestHugeCountUnknownSize: through gzip or a pipe the size is unknown, so
// the header cannot be checked up front; the parser must still not reserve
// memory for four billion nodes.
func TestHugeCountUnknownSize(t *testing.T) {
	huge := replace(t, tinySnapshot, `"node_count":3,"edge_count":3`, `"node_count":4000000000,"edge_count":4000000000`)
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"plain", []byte(huge)},
		{"gzip", gzipBytes(t, []byte(huge))},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			alloc := totalAlloc(func() { _, err = read(c.in) })
			checkError(t, err, -1, "nodes", "21 values, but node_count 4000000000 × 7 fields needs 28000000000")
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB for a %d-byte input of unknown size", alloc>>20, len(c.in))
			}
		})
	}
	// The same for a huge edge_count once the nodes are in: one node
	// declaring four billion edges.
	edges := replace(t, tinySnapshot, `"node_count":3,"edge_count":3`, `"node_count":3,"edge_count":4000000000`)
	edges = replace(t, edges, ",2,2,5,16,0,0,0]", ",2,2,5,16,3999999997,0,0]")
	var err error
	alloc := totalAlloc(func() { _, err = read(gzipBytes(t, []byte(edges))) })
	checkError(t, err, -1, "edges", "9 values, but edge_count 4000000000 × 3 fields needs 12000000000")
	if alloc > 64<<20 {
		t.Errorf("huge edge_count: allocated %d MB", alloc>>20)
	}
}

// totalAlloc returns the bytes f allocates.
func totalAlloc(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestRealSnapshotParses: the corpus snapshot parses, plain and gzipped, and
// reading it allocates a small multiple of its size.
func TestRealSnapshotParses(t *testing.T) {
	gz, raw := realSnapshot(t)
	var s *snapshot.Snapshot
	var err error
	alloc := totalAlloc(func() { s, err = readSized(raw) })
	if err != nil {
		t.Fatal(err)
	}
	if alloc > 4*uint64(len(raw)) {
		t.Errorf("reading %d bytes allocated %d", len(raw), alloc)
	}
	if s.NodeCount() != 56888 || s.EdgeCount() != 245824 {
		t.Fatalf("got %d nodes and %d edges", s.NodeCount(), s.EdgeCount())
	}
	if _, err := read(gz); err != nil {
		t.Fatalf("gzipped: %v", err)
	}
}

// TestGzipMembers: a snapshot gzipped in several members (gzip's
// concatenation) reads as one.
func TestGzipMembers(t *testing.T) {
	k := strings.Index(tinySnapshot, `"edges"`)
	in := append(gzipBytes(t, []byte(tinySnapshot[:k])), gzipBytes(t, []byte(tinySnapshot[k:]))...)
	s, err := read(in)
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeCount() != 3 || s.EdgeCount() != 3 {
		t.Errorf("%d nodes, %d edges; want 3 and 3", s.NodeCount(), s.EdgeCount())
	}
}
