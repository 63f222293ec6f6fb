package snapshot_test

// Memory bounded by what the input holds (issue 13, items 1 and 2): long
// strings in a skipped section and in the string table, and files whose
// size promises far more than they hold (sparse files). The inputs are made
// here, streamed or sparse, never committed.

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

// repeatReader yields n copies of the byte c.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(b []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), r.n)]
	for i := range b {
		b[i] = r.c
	}
	r.n -= int64(len(b))
	return len(b), nil
}

// longString returns a reader of in with its first occurrence of at
// replaced by prefix, n bytes of 'a', and suffix: a snapshot holding one
// long string, streamed so that the test itself holds nothing.
func longString(t testing.TB, in, at, prefix string, n int64, suffix string) io.Reader {
	t.Helper()
	i := strings.Index(in, at)
	if i < 0 {
		t.Fatalf("%q not in the snapshot", at)
	}
	return io.MultiReader(strings.NewReader(in[:i]+prefix), &repeatReader{'a', n}, strings.NewReader(suffix+in[i+len(at):]))
}

// TestLongStringInSkippedSection: a section heapscope does not read is
// skipped, not kept, however long its strings.
func TestLongStringInSkippedSection(t *testing.T) {
	const n = 256 << 20
	r := longString(t, tinySnapshot, `"trace_function_infos":[],`, `"x_unknown":["`, n, `"],"trace_function_infos":[],`)
	var s *snapshot.Snapshot
	var err error
	alloc := totalAlloc(func() { s, err = snapshot.Read(r, snapshot.Options{}) })
	if err != nil {
		t.Fatal(err)
	}
	if s.NodeCount() != 3 {
		t.Errorf("%d nodes, want 3", s.NodeCount())
	}
	if alloc > 64<<20 {
		t.Errorf("skipping a %d MiB string allocated %d MiB", n>>20, alloc>>20)
	}
}

// TestLongStringInStrings: one string of the string table is capped at
// 16 MiB; the error names the offset where the string starts.
func TestLongStringInStrings(t *testing.T) {
	const n = 256 << 20
	at := `"hello"`
	r := longString(t, tinySnapshot, at, `"`, n, `"`)
	var err error
	alloc := totalAlloc(func() { _, err = snapshot.Read(r, snapshot.Options{}) })
	se := checkError(t, err, -1, "strings", "string longer than 16 MiB")
	if want := int64(strings.Index(tinySnapshot, at)); se.Offset != want {
		t.Errorf("error at byte %d, want %d (where the string starts)", se.Offset, want)
	}
	t.Logf("allocated %d MiB", alloc>>20)
	// The string grows to the cap before it is rejected, no further.
	if alloc > 128<<20 {
		t.Errorf("rejecting a %d MiB string allocated %d MiB", n>>20, alloc>>20)
	}
}

// sparseFile writes head to a new file and extends it to size bytes with
// a hole (zeros that take no disk), as `truncate -s` does.
func sparseFile(t testing.TB, head string, size int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sparse.heapsnapshot")
	if err := os.WriteFile(path, []byte(head), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Skipf("cannot make a sparse file: %v", err)
	}
	return path
}

// TestSparseFile: a file of 40 GB whose size passes the header's check but
// which holds only a header (or a snapshot up to its strings) and a hole.
// Nothing is reserved by the size alone.
func TestSparseFile(t *testing.T) {
	const size = 40 << 30
	cases := []struct {
		name, head, section, want string
	}{
		// 2.8 billion nodes of 7 fields fit in 40 GB as far as the size
		// check knows; reserving their columns would take 60 GB.
		{"huge node_count", replace(t, tinySnapshot[:strings.Index(tinySnapshot, "9,0,1")], `"node_count":3,"edge_count":3`, `"node_count":2800000000,"edge_count":3`),
			"nodes", "unexpected byte 0x00 in number array"},
		{"hole in strings", tinySnapshot[:strings.Index(tinySnapshot, `"",`)], "strings", `expected '"', found byte 0x00`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := sparseFile(t, c.head, size)
			var err error
			alloc := totalAlloc(func() { _, err = snapshot.ReadFile(path, snapshot.Options{}) })
			checkError(t, err, -1, c.section, c.want)
			if alloc > 256<<20 {
				t.Errorf("reading a sparse file of %d GiB allocated %d MiB", size>>30, alloc>>20)
			}
		})
	}
}

// TestManyEmptyStrings: a string table of far more strings than the nodes
// and edges can name (a gzip bomb of "",) is rejected once past the bound,
// not kept.
func TestManyEmptyStrings(t *testing.T) {
	const n = 64 << 20 // bytes of `"",`
	i := strings.Index(tinySnapshot, `"strings":[`) + len(`"strings":[`)
	in := io.MultiReader(strings.NewReader(tinySnapshot[:i]), &patternReader{pattern: `"",`, n: n}, strings.NewReader(tinySnapshot[i:]))
	var err error
	alloc := totalAlloc(func() { _, err = snapshot.Read(in, snapshot.Options{}) })
	checkError(t, err, -1, "strings", "more strings than the nodes, edges and trace functions can name (65542)")
	if alloc > 64<<20 {
		t.Errorf("rejecting %d MiB of empty strings allocated %d MiB", n>>20, alloc>>20)
	}
}

// patternReader yields n bytes of pattern repeated.
type patternReader struct {
	pattern string
	n       int64
	at      int
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n)]
	for i := range b {
		b[i] = p.pattern[p.at]
		p.at = (p.at + 1) % len(p.pattern)
	}
	p.n -= int64(len(b))
	return len(b), nil
}

// TestManyLocations: more locations than nodes (a gzip bomb of them) are
// rejected once past the node count, not kept.
func TestManyLocations(t *testing.T) {
	const n = 64 << 20
	i := strings.Index(tinySnapshot, `"locations":[`) + len(`"locations":[`)
	in := io.MultiReader(strings.NewReader(tinySnapshot[:i]), &patternReader{pattern: `7,1,2,3,`, n: n}, strings.NewReader(tinySnapshot[i:]))
	var err error
	alloc := totalAlloc(func() { _, err = snapshot.Read(in, snapshot.Options{}) })
	checkError(t, err, -1, "locations", "more locations than nodes (3)")
	if alloc > 64<<20 {
		t.Errorf("rejecting %d MiB of locations allocated %d MiB", n>>20, alloc>>20)
	}
}
