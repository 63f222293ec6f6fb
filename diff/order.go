package diff

// Order sorts rows, indexes into classes, as Sort would sort those classes;
// classes is left as it is, so that a cached comparison can be listed in
// any order by many callers at once.
func Order(classes []Class, rows []int, by SortBy) {
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
