package snapshot_test

// Memory bounded by what the input holds (issue 13, items 1 and 2): long
// strings in a skipped section and in the string table, and files whose
// size promises far more than they hold (sparse files). The inputs are made
// here, streamed or sparse, never committed.

import (
	"io"
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
