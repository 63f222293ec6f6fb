package snapshot_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/snapshot"
)

// benchInput is a real snapshot, decompressed: set HEAPSCOPE_BENCH_SNAPSHOT
// to a big file (bench/gen.sh makes them) to measure at scale.
func benchInput(b *testing.B) []byte {
	path := os.Getenv("HEAPSCOPE_BENCH_SNAPSHOT")
	if path == "" {
		path = corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if zr, err := gzip.NewReader(f); err == nil {
		r = zr
	} else if _, err := f.Seek(0, io.SeekStart); err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkRead measures parsing from memory (no disk, no gzip).
func BenchmarkRead(b *testing.B) {
	data := benchInput(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := snapshot.Read(bytes.NewReader(data), snapshot.Options{Size: int64(len(data)), Held: int64(len(data))}); err != nil {
			b.Fatal(err)
		}
	}
}
