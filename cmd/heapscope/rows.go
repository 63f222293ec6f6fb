package main

import "regexp"

// defaultTextRows is how many class rows text output shows without --top.
const defaultTextRows = 30

// selectRows keeps the rows whose name matches filter (a regular expression
// already checked; "" keeps all), then the first top of them (0: all in
// JSON, defaultTextRows in text).
func selectRows[T any](rows []T, name func(*T) string, filter string, top int, asJSON bool) []T {
	if filter != "" {
		re := regexp.MustCompile(filter)
		kept := rows[:0]
		for i := range rows {
			if re.MatchString(name(&rows[i])) {
				kept = append(kept, rows[i])
			}
		}
		rows = kept
	}
	if top == 0 && !asJSON {
		top = defaultTextRows
	}
	if top > 0 && len(rows) > top {
		rows = rows[:top]
	}
	return rows
}
