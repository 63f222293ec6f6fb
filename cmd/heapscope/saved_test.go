package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/heapscope/heapscope/report"
)

// A directory saved by "heapscope run --save DIR" expands to its snapshots
// in the order they were taken (by the number ending each name, not by
// name order: 10 after 9) with the heap samples written beside them.
func TestExpandSavedRun(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []int{1, 2, 10, 9} {
		name := filepath.Join(dir, "heapscope-42-20261125-210000-"+strconv.Itoa(k)+".heapsnapshot")
		if err := os.WriteFile(name, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []report.HeapSample{{TimeMillis: 0, UsedBytes: 1 << 20}, {TimeMillis: 500, UsedBytes: 3 << 20}}
	if err := saveSamples(dir, want); err != nil {
		t.Fatal(err)
	}
	files, samples, err := expandSaved([]string{"other.heapsnapshot", dir})
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
	if _, _, err := expandSaved([]string{t.TempDir()}); err == nil {
		t.Error("an empty directory was accepted")
	}
}
