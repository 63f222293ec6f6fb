package snapshot_test

// A panic in one of the parser's goroutines (the read-ahead, the store of
// the number arrays) reaches Read's caller as an error (issue 13, item 3).

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/snapshot"
)

// panickyReader panics once it has given its first n bytes, as a buggy
// decompressor would, in the scanner's read-ahead goroutine.
type panickyReader struct {
	r io.Reader
	n int
}

func (p *panickyReader) Read(b []byte) (int, error) {
	if p.n <= 0 {
		panic("reader bug")
	}
	k, err := p.r.Read(b[:min(len(b), p.n)])
	p.n -= k
	return k, err
}

func checkPanicError(t *testing.T, err error, where string) {
	t.Helper()
	var pe *panicerr.Error
	if !errors.As(err, &pe) || pe.Where != where {
		t.Fatalf("error %v (%T), want a panic in %q as an error", err, err, where)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "internal error in "+where) {
		t.Errorf("error %q is not one line naming %q", msg, where)
	}
}

func TestPanicInReadAhead(t *testing.T) {
	_, err := snapshot.Read(&panickyReader{strings.NewReader(tinySnapshot), 100}, snapshot.Options{})
	checkPanicError(t, err, "snapshot: read-ahead")
}

func TestPanicInStore(t *testing.T) {
	defer panicerr.Inject("snapshot: store")()
	_, err := read([]byte(tinySnapshot))
	checkPanicError(t, err, "snapshot: store")
}
