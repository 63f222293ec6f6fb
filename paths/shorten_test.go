package paths

import (
	"reflect"
	"testing"
)

func TestShorten(t *testing.T) {
	// a b×7 c: the run keeps its first and last b and folds the five between.
	chain := []byte("abbbbbbbc")
	alike := func(j, k int) bool { return chain[j] == chain[k] }
	got := Shorten(len(chain), alike, 0, nil)
	want := []Row{{Hop: 0, N: 1}, {Hop: 1, N: 1}, {Hop: 2, N: 5}, {Hop: 7, N: 1}, {Hop: 8, N: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Shorten(%s) = %v, want %v", chain, got, want)
	}
	if !got[2].Folded() || got[1].Folded() {
		t.Errorf("Folded: %v %v", got[2], got[1])
	}
	// Runs shorter than RunFold stay whole.
	chain = []byte("abbbc")
	if got := Shorten(len(chain), alike, 0, nil); len(got) != len(chain) {
		t.Errorf("Shorten(%s) = %v, want every hop", chain, got)
	}
	if got := Shorten(0, alike, 0, nil); len(got) != 0 {
		t.Errorf("Shorten of nothing = %v", got)
	}
}

// A chain that stays long once folded loses its middle, not its ends nor
// the hops it must keep.
func TestShortenMaxRows(t *testing.T) {
	n := 100
	never := func(j, k int) bool { return false }
	got := Shorten(n, never, 25, nil)
	if len(got) != 25 {
		t.Fatalf("%d rows, want 25: %v", len(got), got)
	}
	if got[0].Hop != 0 || got[len(got)-1].Hop != n-1 {
		t.Errorf("ends lost: %v", got)
	}
	gaps, hops := 0, 0
	for _, r := range got {
		if r.Gap {
			gaps++
		}
		hops += r.N
	}
	if gaps != 1 || hops != n {
		t.Errorf("%d gaps standing for %d hops in all, want 1 and %d: %v", gaps, hops, n, got)
	}
	// Hop 50 is kept: the gap splits around it.
	got = Shorten(n, never, 25, func(h int) bool { return h == 50 })
	if len(got) > 25 {
		t.Fatalf("%d rows, want at most 25: %v", len(got), got)
	}
	found, hops := false, 0
	for _, r := range got {
		found = found || (r.Hop == 50 && r.N == 1 && !r.Gap)
		hops += r.N
	}
	if !found || hops != n || got[0].Hop != 0 || got[len(got)-1].Hop != n-1 {
		t.Errorf("kept hop 50 lost, or hops miscounted (%d): %v", hops, got)
	}
}
