package snapshot_test

import (
	"encoding/json"
	"testing"

	"github.com/heapscope/heapscope/snapshot"
)

// TestDisplaySurrogates: a lone surrogate displays as one U+FFFD, in text
// and once encoded as JSON alike, while EscapeInvalid keeps two different
// lone surrogates different (issue 13, item 6).
func TestDisplaySurrogates(t *testing.T) {
	for _, c := range []struct{ in, display, escaped string }{
		{"plain", "plain", "plain"},
		{"X\xed\xa0\x80", "X\uFFFD", `X\xED\xA0\x80`},
		{"X\xed\xa0\x81", "X\uFFFD", `X\xED\xA0\x81`},
		{"\xed\xa0\x80\xed\xb0\x80", "\uFFFD\uFFFD", `\xED\xA0\x80\xED\xB0\x80`},
		{"a\xffb\xfe\xfdc", "a\uFFFDb\uFFFDc", `a\xFFb\xFE\xFDc`},
		{"é\U0001F600", "é\U0001F600", "é\U0001F600"},
	} {
		if got := snapshot.Display(c.in); got != c.display {
			t.Errorf("Display(%q) = %q, want %q", c.in, got, c.display)
		}
		j, _ := json.Marshal(snapshot.Display(c.in))
		var back string
		if err := json.Unmarshal(j, &back); err != nil || back != c.display {
			t.Errorf("Display(%q) through JSON = %q, want %q", c.in, back, c.display)
		}
		if got := snapshot.EscapeInvalid(c.in); got != c.escaped {
			t.Errorf("EscapeInvalid(%q) = %q, want %q", c.in, got, c.escaped)
		}
	}
}
