// Package huntdir is the directory a live hunt saves its snapshots into
// ("heapscope run --save DIR"): one heapscope-PID-TIME-K.heapsnapshot file
// per snapshot, K its number in the hunt, and the heap samples in
// heapscope-samples.json. The hunt writes it; "heapscope serve DIR" reads
// it back, snapshots in the order they were taken, with the heap curve.
package huntdir

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/heapscope/heapscope/report"
)

// SamplesFile holds the hunt's heap samples, beside its snapshots.
const SamplesFile = "heapscope-samples.json"

// SnapshotPath is where snapshot k (from 1) of the hunt of process pid,
// started at start, is saved in dir.
func SnapshotPath(dir string, pid int, start time.Time, k int) string {
	return filepath.Join(dir, fmt.Sprintf("heapscope-%d-%s-%d.heapsnapshot", pid, start.Format("20060102-150405"), k))
}

// WriteSamples writes the hunt's heap samples into dir.
func WriteSamples(dir string, samples []report.HeapSample) error {
	b, err := json.Marshal(samples)
	if err != nil {
		return fmt.Errorf("heap samples: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, SamplesFile), b, 0o644)
}

// Read returns the snapshots saved in dir, in the order they were taken,
// and its heap samples (nil when it has none). A directory without
// snapshots is an error.
func Read(dir string) (snapshots []string, samples []report.HeapSample, err error) {
	snaps, err := filepath.Glob(filepath.Join(dir, "*.heapsnapshot"))
	if err != nil {
		return nil, nil, err
	}
	if len(snaps) == 0 {
		return nil, nil, fmt.Errorf("%s: no .heapsnapshot files in this directory", dir)
	}
	// By the number ending each name, not by name: 10 comes after 9.
	sort.SliceStable(snaps, func(i, j int) bool { return snapshotNumber(snaps[i]) < snapshotNumber(snaps[j]) })
	path := filepath.Join(dir, SamplesFile)
	b, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, nil, err
	default:
		if err := json.Unmarshal(b, &samples); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	return snaps, samples, nil
}

// Expand replaces each directory among args with its snapshots (Read) and
// returns the heap samples of the last directory that has some. Other
// arguments are kept as they are.
func Expand(args []string) (files []string, samples []report.HeapSample, err error) {
	for _, a := range args {
		if st, err := os.Stat(a); err != nil || !st.IsDir() {
			files = append(files, a)
			continue
		}
		snaps, s, err := Read(a)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, snaps...)
		if s != nil {
			samples = s
		}
	}
	return files, samples, nil
}

// snapshotNumber reads K from a name ending in -K.heapsnapshot (else -1,
// which sorts first and keeps the glob's name order among such files).
func snapshotNumber(path string) int {
	base := strings.TrimSuffix(filepath.Base(path), ".heapsnapshot")
	k := strings.LastIndexByte(base, '-')
	var n int
	if _, err := fmt.Sscanf(base[k+1:], "%d", &n); k < 0 || err != nil {
		return -1
	}
	return n
}
