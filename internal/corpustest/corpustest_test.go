package corpustest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

func TestDirIsTheProjectCorpus(t *testing.T) {
	if got, want := Dir(), filepath.Join("..", "..", "testdata", "corpus"); got != want {
		t.Errorf("Dir() = %q, want %q", got, want)
	}
	if _, err := os.Stat(Path("MANIFEST.json")); err != nil {
		t.Error(err)
	}
}

// Every corpus snapshot has its DevTools goldens.
func TestSnapshotsHaveGoldens(t *testing.T) {
	es := Snapshots(t, "*", false)
	if len(es) < 10 {
		t.Fatalf("%d snapshots", len(es))
	}
	for _, e := range es {
		for _, f := range []string{e.Snapshot(), e.Oracle(), e.Nodes()} {
			if _, err := os.Stat(f); err != nil {
				t.Error(err)
			}
		}
	}
	first := Snapshots(t, "seed-leak-series__node-20.3.1__*", false)
	names := []string{}
	for _, e := range first {
		names = append(names, e.Name())
	}
	want := []string{"seed-leak-series__node-20.3.1__0", "seed-leak-series__node-20.3.1__1000", "seed-leak-series__node-20.3.1__2000"}
	if !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if got := Series(Dir(), "seed-leak-series__node-20.3.1", 0, 1000, 2000); !slices.Equal(got, []string{first[0].Snapshot(), first[1].Snapshot(), first[2].Snapshot()}) {
		t.Errorf("Series = %q", got)
	}
}

func TestDirsExtra(t *testing.T) {
	t.Setenv(ExtraEnv, "")
	if got := Dirs(true); len(got) != 1 {
		t.Errorf("Dirs(true) without %s = %q", ExtraEnv, got)
	}
	t.Setenv(ExtraEnv, "/elsewhere")
	if got := Dirs(true); !slices.Equal(got, []string{Dir(), "/elsewhere"}) {
		t.Errorf("Dirs(true) = %q", got)
	}
	if got := Dirs(false); len(got) != 1 {
		t.Errorf("Dirs(false) = %q", got)
	}
}

// Analysed reads and analyses a file once per test binary.
func TestAnalysedOnce(t *testing.T) {
	calls := 0
	count := func(s *snapshot.Snapshot) int { calls++; return s.NodeCount() }
	path := Snapshot("seed-leak-series__node-20.3.1__0")
	a, b := Analysed(t, path, count), Analysed(t, path, count)
	if calls != 1 || a != b || a == 0 {
		t.Errorf("%d analyses, results %d and %d", calls, a, b)
	}
	gz, raw := ReadGzip(t, path)
	gz2, _ := ReadGzip(t, path)
	if len(gz) == 0 || len(raw) <= len(gz) || &gz[0] != &gz2[0] {
		t.Errorf("ReadGzip: %d bytes stored, %d plain, read again: %v", len(gz), len(raw), &gz[0] != &gz2[0])
	}
}
