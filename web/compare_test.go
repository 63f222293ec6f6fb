package web

import "testing"

// TestComparisonSortsByRetainedByDefault: without sort, the Comparison's
// rows come as the CLI's diff gives them, by |retained delta|, biggest
// first; sort=size gives DevTools' order.
func TestComparisonSortsByRetainedByDefault(t *testing.T) {
	ts := newTestServer(t, 3)
	type row struct {
		Name          string `json:"name"`
		SizeDelta     int64  `json:"sizeDelta"`
		RetainedDelta int64  `json:"retainedDelta"`
	}
	var p struct {
		Items []row `json:"items"`
	}
	abs := func(v int64) int64 { return max(v, -v) }
	for _, c := range []struct {
		query string
		delta func(r row) int64
		first string
	}{
		{"", func(r row) int64 { return r.RetainedDelta }, "TimersList"},
		{"&sort=size", func(r row) int64 { return r.SizeDelta }, "Server"},
	} {
		mustGet(t, ts, "/api/compare/1/2?limit=1000"+c.query, &p)
		if len(p.Items) < 10 || p.Items[0].Name != c.first {
			t.Fatalf("sort %q: %d rows, first %+v, want %s", c.query, len(p.Items), p.Items[0], c.first)
		}
		for k := 1; k < len(p.Items); k++ {
			if abs(c.delta(p.Items[k])) > abs(c.delta(p.Items[k-1])) {
				t.Errorf("sort %q: row %d %+v after %+v", c.query, k, p.Items[k], p.Items[k-1])
			}
		}
	}
}
