package summary

import (
	"cmp"
	"slices"

	"github.com/heapscope/heapscope/graph"
)

// ByName orders classes by name, A to Z as DevTools compares strings (by
// UTF-16 code units), then by key. Only Order knows it.
const ByName SortBy = "name"

// Order sorts rows, indexes into classes, in the order by (Sort's columns
// or ByName), reversed with reverse; classes is left as it is, so that
// precomputed rows can be listed in any order by many callers at once.
func Order(classes []Class, rows []int, by SortBy, reverse bool) {
	if by == ByName {
		slices.SortStableFunc(rows, func(a, b int) int {
			x, y := &classes[a], &classes[b]
			switch {
			case x.Name == y.Name:
				return cmp.Compare(x.Key, y.Key)
			case graph.LessUTF16(x.Name, y.Name):
				return -1
			}
			return 1
		})
	} else {
		// Sort orders copies; each row's index comes back through its key,
		// which is unique among the rows.
		sorted := make([]Class, len(rows))
		index := make(map[string]int, len(rows))
		for k, c := range rows {
			sorted[k] = classes[c]
			index[classes[c].Key] = c
		}
		Sort(sorted, by)
		for k := range sorted {
			rows[k] = index[sorted[k].Key]
		}
	}
	if reverse {
		slices.Reverse(rows)
	}
}
