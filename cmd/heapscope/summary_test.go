package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/heapscope/heapscope/internal/corpustest"
)

// runCLI runs heapscope in-process and returns its standard output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestSummaryJSONEqualsOracle checks the command's JSON, field for field,
// against the DevTools oracle's output for the same real snapshot.
func TestSummaryJSONEqualsOracle(t *testing.T) {
	for _, id := range []string{"seed-leak-series__node-20.3.1__2000", "seed-leak__node-26.10.0__1000", "map-cache-tracked__node-20.20.2__1000"} {
		t.Run(id, func(t *testing.T) {
			e := corpustest.Entry{ID: corpustest.Path(id)}
			out, err := runCLI(t, "summary", "--json", e.Snapshot())
			if err != nil {
				t.Fatal(err)
			}
			var got, want struct {
				Totals  map[string]any   `json:"totals"`
				Classes []map[string]any `json:"classes"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			corpustest.ReadJSON(t, e.Oracle(), &want)
			for _, k := range []string{"nodeCount", "edgeCount", "rootRetainedSize", "totalSize", "sumRawSelfSize", "nodesUnreachable", "nodesWithSystemDistance", "statistics"} {
				if !reflect.DeepEqual(got.Totals[k], want.Totals[k]) {
					t.Errorf("totals.%s = %v, oracle %v", k, got.Totals[k], want.Totals[k])
				}
			}
			if !reflect.DeepEqual(got.Classes, want.Classes) {
				n := min(len(got.Classes), len(want.Classes))
				for i := 0; i < n; i++ {
					if !reflect.DeepEqual(got.Classes[i], want.Classes[i]) {
						t.Fatalf("class row %d: got %v, oracle %v (of %d vs %d rows)", i, got.Classes[i], want.Classes[i], len(got.Classes), len(want.Classes))
					}
				}
				t.Fatalf("got %d classes, oracle %d", len(got.Classes), len(want.Classes))
			}
		})
	}
}

func TestSummaryTextAndFlags(t *testing.T) {
	file := corpustest.Snapshot("seed-leak-series__node-20.3.1__2000")
	out, err := runCLI(t, "summary", "--top", "3", "--sort", "count", file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// header (2 lines), blank, column titles, 3 rows, "… more classes"
	if len(lines) != 8 || !strings.Contains(lines[0], "62,966 nodes") || !strings.HasPrefix(lines[7], "… ") {
		t.Fatalf("unexpected text output:\n%s", out)
	}
	out, err = runCLI(t, "summary", "--json", "--filter", "^Server$", file)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Classes []struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		} `json:"classes"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range r.Classes {
		if c.Name != "Server" {
			t.Errorf("filter let %q through", c.Name)
		}
		total += c.Count
	}
	if total != 2001 {
		t.Errorf("Server instances = %d, want 2001 (1 + 2,000 leaked)", total)
	}
	if _, err := runCLI(t, "summary", "--sort", "bogus", file); err == nil {
		t.Error("--sort bogus accepted")
	}
}
