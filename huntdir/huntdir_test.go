package huntdir

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/heapscope/heapscope/report"
)

// A directory saved by "heapscope run --save DIR" expands to its snapshots
// in the order they were taken (by the number ending each name, not by
// name order: 10 after 9) with the heap samples written beside them.
func TestExpandSavedRun(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.Local)
	for _, k := range []int{1, 2, 10, 9} {
		if err := os.WriteFile(SnapshotPath(dir, 42, start, k), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []report.HeapSample{{TimeMillis: 0, UsedBytes: 1 << 20}, {TimeMillis: 500, UsedBytes: 3 << 20}}
	if err := WriteSamples(dir, want); err != nil {
		t.Fatal(err)
	}
	files, samples, err := Expand([]string{"other.heapsnapshot", dir})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, f := range files {
		order = append(order, filepath.Base(f))
	}
	wantOrder := []string{"other.heapsnapshot",
		"heapscope-42-20261125-210000-1.heapsnapshot", "heapscope-42-20261125-210000-2.heapsnapshot",
		"heapscope-42-20261125-210000-9.heapsnapshot", "heapscope-42-20261125-210000-10.heapsnapshot"}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("order %v, want %v", order, wantOrder)
	}
	if !reflect.DeepEqual(samples, want) {
		t.Errorf("samples %v, want %v", samples, want)
	}
	if _, _, err := Expand([]string{t.TempDir()}); err == nil {
		t.Error("an empty directory was accepted")
	}
}

// A directory without samples (snapshots saved by hand) reads without them;
// a damaged samples file is an error, not an empty curve.
func TestReadSamples(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.heapsnapshot"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	snaps, samples, err := Read(dir)
	if err != nil || len(snaps) != 1 || samples != nil {
		t.Fatalf("%v %v %v", snaps, samples, err)
	}
	if err := os.WriteFile(filepath.Join(dir, SamplesFile), []byte("[{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(dir); err == nil {
		t.Error("a damaged samples file was accepted")
	}
}
