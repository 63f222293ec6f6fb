package huntdir

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
	want := report.HeapCurve{Samples: []report.HeapSample{{TimeMillis: 0, UsedBytes: 1 << 20}, {TimeMillis: 500, UsedBytes: 3 << 20}}, SnapshotTimes: []int64{100, 400}}
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
	if err != nil || len(snaps) != 1 || samples.Samples != nil {
		t.Fatalf("%v %v %v", snaps, samples, err)
	}
	if err := os.WriteFile(filepath.Join(dir, SamplesFile), []byte("[{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(dir); err == nil {
		t.Error("a damaged samples file was accepted")
	}
}

// The saved files hold the heap's contents: the directory is created 0700,
// each snapshot and the samples 0600.
func TestSavedFilesPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hunt", "one")
	if err := Prepare(dir); err != nil {
		t.Fatal(err)
	}
	f, err := Create(SnapshotPath(dir, 42, time.Now(), 1))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := WriteSamples(dir, report.HeapCurve{Samples: []report.HeapSample{{UsedBytes: 1}}}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		dir:                             os.ModeDir | 0o700,
		f.Name():                        0o600,
		filepath.Join(dir, SamplesFile): 0o600,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, st.Mode(), want)
		}
	}
}

// A symlink planted where a snapshot or the samples will be written is not
// followed, and an existing file is not overwritten.
func TestSaveNeverThroughSymlinkNorOverFile(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := SnapshotPath(dir, 42, time.Now(), 1)
	if err := os.Symlink(victim, snap); err != nil {
		t.Fatal(err)
	}
	if f, err := Create(snap); err == nil {
		f.Close()
		t.Error("Create followed a symlink")
	}
	if err := os.Symlink(filepath.Join(dir, "dangling"), filepath.Join(dir, SamplesFile)); err != nil {
		t.Fatal(err)
	}
	if err := WriteSamples(dir, report.HeapCurve{}); err == nil {
		t.Error("WriteSamples followed a symlink")
	}
	if _, err := os.Stat(filepath.Join(dir, "dangling")); err == nil {
		t.Error("WriteSamples created the symlink's target")
	}
	existing := SnapshotPath(dir, 42, time.Now(), 2)
	if err := os.WriteFile(existing, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Create(existing); err == nil {
		f.Close()
		t.Error("Create opened an existing file")
	}
	for _, p := range []string{victim, existing} {
		if b, err := os.ReadFile(p); err != nil || string(b) != "keep" {
			t.Errorf("%s: %q, %v; want it untouched", p, b, err)
		}
	}
}

// --save into a directory holding another run's files refuses, naming it.
func TestPrepareRefusesSavedRun(t *testing.T) {
	dir := t.TempDir()
	if err := Prepare(dir); err != nil {
		t.Fatalf("an empty directory: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Prepare(dir); err != nil {
		t.Fatalf("a directory without a run: %v", err)
	}
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.Local)
	f, err := Create(SnapshotPath(dir, 42, start, 1))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	err = Prepare(dir)
	if err == nil || !strings.Contains(err.Error(), "heapscope-42-20261125-210000") || !strings.Contains(err.Error(), "new or empty directory") {
		t.Errorf("Prepare over a saved run: %v", err)
	}
	only := t.TempDir()
	if err := WriteSamples(only, report.HeapCurve{}); err != nil {
		t.Fatal(err)
	}
	if err := Prepare(only); err == nil || !strings.Contains(err.Error(), SamplesFile) {
		t.Errorf("Prepare over a samples file: %v", err)
	}
}

// "serve DIR" never mixes two runs: two processes, or two starts of one.
func TestReadRefusesTwoRuns(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.Local)
	for _, p := range []string{
		SnapshotPath(dir, 42, start, 1), SnapshotPath(dir, 42, start, 2),
		SnapshotPath(dir, 43, start, 1), SnapshotPath(dir, 42, start.Add(time.Hour), 1),
	} {
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := Read(dir)
	if err == nil {
		t.Fatal("Read mixed two runs")
	}
	for _, run := range []string{"heapscope-42-20261125-210000", "heapscope-43-20261125-210000", "heapscope-42-20261125-220000", "3 runs"} {
		if !strings.Contains(err.Error(), run) {
			t.Errorf("error %q does not name %s", err, run)
		}
	}
}

// A samples file written before snapshot times were kept (the samples
// alone, an array) still reads.
func TestReadSamplesOfOlderHunts(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.Local)
	if err := os.WriteFile(SnapshotPath(dir, 42, start, 1), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SamplesFile), []byte(`[{"timeMillis":5,"usedBytes":7}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, curve, err := Read(dir)
	if err != nil || len(curve.Samples) != 1 || curve.Samples[0].UsedBytes != 7 || curve.SnapshotTimes != nil {
		t.Fatalf("Read = %+v, %v", curve, err)
	}
}
