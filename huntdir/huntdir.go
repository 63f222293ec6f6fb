// Package huntdir is the directory a live hunt saves its snapshots into
// ("heapscope run --save DIR"): one heapscope-PID-TIME-K.heapsnapshot file
// per snapshot, K its number in the hunt, and the heap samples in
// heapscope-samples.json. The hunt writes it; "heapscope serve DIR" reads
// it back, snapshots in the order they were taken, with the heap curve.
//
// The files hold the heap's contents (strings, tokens, user data): the
// directory is created 0700 and every file 0600, each one created afresh
// (never through a symlink, never over an existing file), and a directory
// holds one run only.
package huntdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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

// Prepare makes dir ready to receive a new hunt: it creates it (0700,
// with its parents) if it does not exist, and refuses a directory that
// already holds the files of a run, so that two runs never mix.
func Prepare(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	runs, err := savedFiles(dir)
	if err != nil {
		return err
	}
	if len(runs) > 0 {
		return fmt.Errorf("%s already holds the files of another run (%s); give a new or empty directory", dir, strings.Join(runs, ", "))
	}
	return nil
}

// savedFiles names what dir holds of a saved run: its runs (the
// heapscope-PID-TIME prefix of their snapshots) and the samples file.
func savedFiles(dir string) ([]string, error) {
	snaps, err := filepath.Glob(filepath.Join(dir, "heapscope-*.heapsnapshot"))
	if err != nil {
		return nil, err
	}
	runs := runsOf(snaps)
	if _, err := os.Lstat(filepath.Join(dir, SamplesFile)); err == nil {
		runs = append(runs, SamplesFile)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return runs, nil
}

// Create creates the new file path for the hunt's writes, 0600: it never
// follows a symlink nor truncates an existing file (O_EXCL refuses both).
func Create(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// WriteSamples writes the hunt's heap samples and snapshot times into
// dir, in a new file.
func WriteSamples(dir string, curve report.HeapCurve) error {
	b, err := json.Marshal(curve)
	if err != nil {
		return fmt.Errorf("heap samples: %w", err)
	}
	f, err := Create(filepath.Join(dir, SamplesFile))
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Read returns the snapshots saved in dir, in the order they were taken,
// and its heap samples and snapshot times (none when it has none). A directory without
// snapshots is an error, and so is one holding the snapshots of two runs
// (two processes, or two starts of one).
func Read(dir string) (snapshots []string, curve report.HeapCurve, err error) {
	snaps, err := filepath.Glob(filepath.Join(dir, "*.heapsnapshot"))
	if err != nil {
		return nil, report.HeapCurve{}, err
	}
	if len(snaps) == 0 {
		return nil, report.HeapCurve{}, fmt.Errorf("%s: no .heapsnapshot files in this directory", dir)
	}
	if runs := runsOf(snaps); len(runs) > 1 {
		return nil, report.HeapCurve{}, fmt.Errorf("%s holds the snapshots of %d runs (%s); give each run its own directory", dir, len(runs), strings.Join(runs, ", "))
	}
	// By the number ending each name, not by name: 10 comes after 9.
	sort.SliceStable(snaps, func(i, j int) bool { return snapshotNumber(snaps[i]) < snapshotNumber(snaps[j]) })
	path := filepath.Join(dir, SamplesFile)
	b, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, report.HeapCurve{}, err
	default:
		// Before snapshot times were kept, the file was the samples alone.
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
			err = json.Unmarshal(b, &curve.Samples)
		} else {
			err = json.Unmarshal(b, &curve)
		}
		if err != nil {
			return nil, report.HeapCurve{}, fmt.Errorf("%s: %v", path, err)
		}
	}
	return snaps, curve, nil
}

// Expand replaces each directory among args with its snapshots (Read) and
// returns the heap samples and snapshot times of the last directory that
// has some. Other
// arguments are kept as they are.
func Expand(args []string) (files []string, curve report.HeapCurve, err error) {
	for _, a := range args {
		if st, err := os.Stat(a); err != nil || !st.IsDir() {
			files = append(files, a)
			continue
		}
		snaps, c, err := Read(a)
		if err != nil {
			return nil, report.HeapCurve{}, err
		}
		files = append(files, snaps...)
		if c.Samples != nil {
			curve = c
		}
	}
	return files, curve, nil
}

// runsOf returns the distinct runs (heapscope-PID-TIME, the name of a
// saved snapshot without its number) among paths, sorted; names not of
// that form are no run's.
func runsOf(paths []string) []string {
	seen := map[string]bool{}
	var runs []string
	for _, p := range paths {
		base := strings.TrimSuffix(filepath.Base(p), ".heapsnapshot")
		k := strings.LastIndexByte(base, '-')
		if !strings.HasPrefix(base, "heapscope-") || k < 0 || snapshotNumber(p) < 0 {
			continue
		}
		if run := base[:k]; !seen[run] {
			seen[run] = true
			runs = append(runs, run)
		}
	}
	sort.Strings(runs)
	return runs
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
