package paths

import (
	"reflect"
	"testing"
)

func TestShorten(t *testing.T) {
	// a b b b b b b b c: a run of seven b's becomes b b (3 more) b b.
	chain := []byte("abbbbbbbc")
	alike := func(j, k int) bool { return chain[j] == chain[k] }
	got := Shorten(len(chain), alike)
	want := []Row{{Hop: 0}, {Hop: 1}, {Hop: 2}, {Hop: 3, Elided: 3}, {Hop: 6}, {Hop: 7}, {Hop: 8}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Shorten(%s) = %v, want %v", chain, got, want)
	}
	// Runs shorter than RunElide stay whole.
	chain = []byte("abbbbbc")
	if got := Shorten(len(chain), alike); len(got) != len(chain) {
		t.Errorf("Shorten(%s) = %v, want every hop", chain, got)
	}
	if got := Shorten(0, alike); len(got) != 0 {
		t.Errorf("Shorten of nothing = %v", got)
	}
}
