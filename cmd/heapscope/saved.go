package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/heapscope/heapscope/report"
)

// samplesFile is the heap curve "heapscope run --save DIR" writes beside its
// snapshots.
const samplesFile = "heapscope-samples.json"

func saveSamples(dir string, samples []report.HeapSample) error {
	b, err := json.Marshal(samples)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, samplesFile), b, 0o644)
}

// expandSaved replaces a directory written by "heapscope run --save DIR" with
// its snapshots, in the order they were taken, and returns its heap samples
// (nil when it has none). Other arguments are kept as they are.
func expandSaved(args []string) ([]string, []report.HeapSample, error) {
	var files []string
	var samples []report.HeapSample
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			files = append(files, a)
			continue
		}
		snaps, err := filepath.Glob(filepath.Join(a, "*.heapsnapshot"))
		if err != nil {
			return nil, nil, err
		}
		if len(snaps) == 0 {
			return nil, nil, fmt.Errorf("%s: no .heapsnapshot files in this directory", a)
		}
		// Names end in -K.heapsnapshot, K the snapshot's number in the hunt.
		sort.Slice(snaps, func(i, j int) bool { return snapshotNumber(snaps[i]) < snapshotNumber(snaps[j]) })
		files = append(files, snaps...)
		b, err := os.ReadFile(filepath.Join(a, samplesFile))
		if err == nil {
			if err := json.Unmarshal(b, &samples); err != nil {
				return nil, nil, fmt.Errorf("%s: %v", filepath.Join(a, samplesFile), err)
			}
		} else if !os.IsNotExist(err) {
			return nil, nil, err
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
