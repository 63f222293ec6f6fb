package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/snapshot"
)

// The createServer leak series (Node.js 20.3.1, issue 48604): 0, 1,000 and
// 2,000 http.Server objects kept alive by their connections-check timers.
var series = []string{
	"seed-leak-series__node-20.3.1__0.heapsnapshot.gz",
	"seed-leak-series__node-20.3.1__1000.heapsnapshot.gz",
	"seed-leak-series__node-20.3.1__2000.heapsnapshot.gz",
}

const testToken = "test-token-0123456789"

var (
	loadOnce sync.Once
	loaded   []Snapshot
	loadErr  error
)

func loadSeries(t testing.TB) []Snapshot {
	t.Helper()
	loadOnce.Do(func() {
		for _, name := range series {
			s, err := snapshot.ReadFile(corpustest.Path(name), snapshot.Options{})
			if err != nil {
				loadErr = err
				return
			}
			loaded = append(loaded, Snapshot{Name: name, Graph: graph.Analyze(s, graph.Options{})})
		}
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// newTestServer serves the series (or its first n snapshots).
func newTestServer(t *testing.T, n int) *httptest.Server {
	t.Helper()
	srv, err := New(loadSeries(t)[:n], Options{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// get fetches an API path with the token and decodes the JSON answer into
// v; it returns the status.
func get(t *testing.T, ts *httptest.Server, path string, v any) int {
	t.Helper()
	req, err := http.NewRequest("GET", ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil && res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, body)
		}
	}
	if ct := res.Header.Get("Content-Type"); strings.HasPrefix(path, "/api/") && ct != "application/json" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	return res.StatusCode
}

func mustGet(t *testing.T, ts *httptest.Server, path string, v any) {
	t.Helper()
	if code := get(t, ts, path, v); code != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, code)
	}
}

func TestTokenRequired(t *testing.T) {
	ts := newTestServer(t, 1)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status := func(req *http.Request) (*http.Response, int) {
		t.Helper()
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res, res.StatusCode
	}
	req := func(path string) *http.Request {
		r, err := http.NewRequest("GET", ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, path := range []string{"/", "/index.html", "/app.js", "/api/snapshots", "/api/snapshots/0/summary", "/api/leaks"} {
		if _, code := status(req(path)); code != http.StatusUnauthorized {
			t.Errorf("GET %s without the token: %d, want 401", path, code)
		}
		r := req(path)
		r.Header.Set("Authorization", "Bearer wrong")
		if _, code := status(r); code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d, want 401", path, code)
		}
		if _, code := status(req(path + "?token=wrong")); code != http.StatusUnauthorized {
			t.Errorf("GET %s?token=wrong: %d, want 401", path, code)
		}
	}
	// The API takes the token as a query parameter or a header.
	if _, code := status(req("/api/snapshots?token=" + testToken)); code != http.StatusOK {
		t.Errorf("API with ?token=: %d", code)
	}
	r := req("/api/snapshots")
	r.Header.Set("Authorization", "Bearer "+testToken)
	if _, code := status(r); code != http.StatusOK {
		t.Errorf("API with the header: %d", code)
	}
	// A page request trades the query parameter for a cookie.
	res, code := status(req("/?token=" + url.QueryEscape(testToken)))
	if code != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("GET /?token=: %d to %q, want 303 to /", code, res.Header.Get("Location"))
	}
	cookies := res.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].Value != testToken {
		t.Fatalf("cookies %+v", cookies)
	}
	for _, path := range []string{"/", "/app.js", "/api/snapshots"} {
		r := req(path)
		r.AddCookie(cookies[0])
		if _, code := status(r); code != http.StatusOK {
			t.Errorf("GET %s with the cookie: %d", path, code)
		}
	}
	bad := req("/")
	bad.AddCookie(&http.Cookie{Name: cookies[0].Name, Value: "wrong"})
	if _, code := status(bad); code != http.StatusUnauthorized {
		t.Errorf("a wrong cookie: %d", code)
	}
}

func TestStaticUI(t *testing.T) {
	ts := newTestServer(t, 1)
	r, _ := http.NewRequest("GET", ts.URL+"/", nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	res, err := ts.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `src="app.js"`) {
		t.Fatalf("index: %d\n%s", res.StatusCode, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	for _, asset := range []string{"/app.js", "/app.css"} {
		r, _ := http.NewRequest("GET", ts.URL+asset, nil)
		r.Header.Set("Authorization", "Bearer "+testToken)
		res, err := ts.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || n < 1000 {
			t.Errorf("%s: %d, %d bytes", asset, res.StatusCode, n)
		}
	}
}

type classRow struct {
	ID       int    `json:"id"`
	Key      string `json:"key"`
	Name     string `json:"name"`
	Count    int    `json:"count"`
	Distance int32  `json:"distance"`
	Self     uint64 `json:"self"`
	Retained uint64 `json:"retained"`
	Location *struct {
		Script   string `json:"script"`
		ScriptID uint32 `json:"scriptId"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
	} `json:"location"`
}

type summaryPage struct {
	Snapshot   int `json:"snapshot"`
	ClassCount int `json:"classCount"`
	Total      int `json:"total"`
	Offset     int `json:"offset"`
	Totals     struct {
		NodeCount int    `json:"nodeCount"`
		TotalSize uint64 `json:"totalSize"`
	} `json:"totals"`
	Items []classRow `json:"items"`
}

type node struct {
	ID        uint32 `json:"id"`
	Class     string `json:"class"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Self      uint64 `json:"self"`
	Retained  uint64 `json:"retained"`
	Distance  int32  `json:"distance"`
	Edges     int    `json:"edges"`
	Dominated int    `json:"dominated"`
}

type nodePage struct {
	Total  int    `json:"total"`
	Offset int    `json:"offset"`
	Items  []node `json:"items"`
}

// httpServerClass finds the http Server class (net has a Server too).
func httpServerClass(t *testing.T, ts *httptest.Server, s int) classRow {
	t.Helper()
	var p summaryPage
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/%d/summary?regex=%s", s, url.QueryEscape("^Server$")), &p)
	for _, c := range p.Items {
		if c.Location != nil && c.Location.Script == "node:_http_server" {
			return c
		}
	}
	t.Fatalf("no http Server class in %+v", p.Items)
	return classRow{}
}

func TestSummarySortedByRetainedAndPaged(t *testing.T) {
	ts := newTestServer(t, 3)
	var all summaryPage
	mustGet(t, ts, "/api/snapshots/2/summary?sort=retained&limit=1000", &all)
	if all.Total != all.ClassCount || len(all.Items) != all.Total || all.Totals.NodeCount != 62966 {
		t.Fatalf("total %d, classCount %d, items %d, nodes %d", all.Total, all.ClassCount, len(all.Items), all.Totals.NodeCount)
	}
	for k := 1; k < len(all.Items); k++ {
		if all.Items[k].Retained > all.Items[k-1].Retained {
			t.Fatalf("row %d (%s, %d) retains more than row %d (%s, %d)", k, all.Items[k].Name, all.Items[k].Retained, k-1, all.Items[k-1].Name, all.Items[k-1].Retained)
		}
	}
	// The leak's classes are near the top, the TimersList above its Timeouts.
	pos := map[string]int{}
	for k, c := range all.Items {
		if _, ok := pos[c.Name]; !ok {
			pos[c.Name] = k
		}
	}
	if !(pos["TimersList"] < pos["Timeout"] && pos["Timeout"] < pos["Server"] && pos["Server"] < 6) {
		t.Errorf("positions: TimersList %d, Timeout %d, Server %d", pos["TimersList"], pos["Timeout"], pos["Server"])
	}
	// Pages of 7 add up to the whole list.
	var paged []classRow
	for off := 0; off < all.Total; off += 7 {
		var p summaryPage
		mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/summary?sort=retained&offset=%d&limit=7", off), &p)
		if p.Offset != off || len(p.Items) > 7 || p.Total != all.Total {
			t.Fatalf("page at %d: offset %d, %d items, total %d", off, p.Offset, len(p.Items), p.Total)
		}
		paged = append(paged, p.Items...)
	}
	if len(paged) != len(all.Items) {
		t.Fatalf("pages hold %d rows, want %d", len(paged), len(all.Items))
	}
	for k := range paged {
		if paged[k].Key != all.Items[k].Key {
			t.Fatalf("row %d: page has %s, whole list %s", k, paged[k].Key, all.Items[k].Key)
		}
	}
	var past summaryPage
	mustGet(t, ts, "/api/snapshots/2/summary?offset=100000", &past)
	if len(past.Items) != 0 || past.Total != all.Total {
		t.Errorf("past the end: %d items", len(past.Items))
	}
	// Other orders, reversed, filtered.
	var byCount, rev summaryPage
	mustGet(t, ts, "/api/snapshots/2/summary?sort=count&limit=1000", &byCount)
	for k := 1; k < len(byCount.Items); k++ {
		if byCount.Items[k].Count > byCount.Items[k-1].Count {
			t.Fatalf("sort=count: row %d has more objects than row %d", k, k-1)
		}
	}
	mustGet(t, ts, "/api/snapshots/2/summary?sort=retained&reverse=1&limit=1000", &rev)
	if rev.Items[0].Key != all.Items[len(all.Items)-1].Key {
		t.Errorf("reverse: first %s, want %s", rev.Items[0].Key, all.Items[len(all.Items)-1].Key)
	}
	var f summaryPage
	mustGet(t, ts, "/api/snapshots/2/summary?filter=timer", &f)
	if f.Total == 0 || f.ClassCount != all.ClassCount {
		t.Fatalf("filter=timer: %d rows", f.Total)
	}
	for _, c := range f.Items {
		if !strings.Contains(strings.ToLower(c.Name), "timer") {
			t.Errorf("filter=timer matched %q", c.Name)
		}
	}
	for _, bad := range []string{"sort=size", "limit=0", "limit=1001", "offset=-1", "regex=(", "reverse=1&sort=nope"} {
		if code := get(t, ts, "/api/snapshots/2/summary?"+bad, nil); code != http.StatusBadRequest {
			t.Errorf("summary?%s: %d, want 400", bad, code)
		}
	}
	if code := get(t, ts, "/api/snapshots/3/summary", nil); code != http.StatusNotFound {
		t.Errorf("snapshot 3 of 3: %d, want 404", code)
	}
}

func TestInstancesPageFromTheServer(t *testing.T) {
	ts := newTestServer(t, 3)
	server := httpServerClass(t, ts, 2)
	if server.Count != 2000 {
		t.Fatalf("http Server count %d, want 2000", server.Count)
	}
	seen := map[uint32]bool{}
	var prev uint64 = 1 << 62
	for off := 0; off < server.Count; off += 100 {
		var p nodePage
		mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/classes/%d/instances?offset=%d", server.ID, off), &p)
		if p.Total != 2000 || len(p.Items) != 100 {
			t.Fatalf("page at %d: total %d, %d items", off, p.Total, len(p.Items))
		}
		for _, n := range p.Items {
			if n.Class != "Server" || seen[n.ID] || n.Retained > prev {
				t.Fatalf("instance %+v (seen %v, previous retained %d)", n, seen[n.ID], prev)
			}
			seen[n.ID], prev = true, n.Retained
		}
	}
	var big nodePage
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/classes/%d/instances?limit=1000&sort=id", server.ID), &big)
	if len(big.Items) != 1000 {
		t.Fatalf("limit=1000: %d items", len(big.Items))
	}
	for k := 1; k < len(big.Items); k++ {
		if big.Items[k].ID <= big.Items[k-1].ID {
			t.Fatalf("sort=id: %d after %d", big.Items[k].ID, big.Items[k-1].ID)
		}
	}
	if code := get(t, ts, fmt.Sprintf("/api/snapshots/2/classes/%d/instances?limit=5000", server.ID), nil); code != http.StatusBadRequest {
		t.Errorf("limit=5000: %d, want 400", code)
	}
	if code := get(t, ts, "/api/snapshots/2/classes/99999/instances", nil); code != http.StatusNotFound {
		t.Errorf("no such class: %d, want 404", code)
	}
}

type leakReport struct {
	Verdict  string `json:"verdict"`
	Snapshot int    `json:"snapshot"`
	Findings []struct {
		Class             string `json:"class"`
		CountGrowth       []int  `json:"countGrowth"`
		AccumulationPoint struct {
			Class string `json:"class"`
			ID    uint32 `json:"id"`
		} `json:"accumulationPoint"`
		Representative struct {
			ID uint32 `json:"id"`
		} `json:"representative"`
		Path []struct {
			Edge  string `json:"edge"`
			Class string `json:"class"`
			ID    uint32 `json:"id"`
		} `json:"path"`
		Locations []struct {
			Role string `json:"role"`
		} `json:"locations"`
	} `json:"findings"`
	Where [][]struct {
		Role   string `json:"role"`
		Name   string `json:"name"`
		Place  string `json:"place"`
		Origin string `json:"origin"`
	} `json:"where"`
}

func TestLeakFindings(t *testing.T) {
	ts := newTestServer(t, 3)
	var r leakReport
	mustGet(t, ts, "/api/leaks", &r)
	if r.Verdict != "leak" || len(r.Findings) == 0 || r.Snapshot != 2 {
		t.Fatalf("verdict %q, %d findings, snapshot %d", r.Verdict, len(r.Findings), r.Snapshot)
	}
	f := r.Findings[0]
	if f.Class != "Server" || len(f.CountGrowth) != 2 || f.CountGrowth[0] != 1000 || f.CountGrowth[1] != 1000 {
		t.Errorf("finding 0: %s %v", f.Class, f.CountGrowth)
	}
	var classes []string
	for _, h := range f.Path {
		classes = append(classes, h.Class)
	}
	chain := strings.Join(classes, " → ")
	tl, to := strings.Index(chain, "TimersList"), strings.Index(chain, "Timeout")
	if tl < 0 || to < tl || !strings.HasSuffix(chain, "Server") {
		t.Errorf("chain %s does not run through TimersList and Timeout to the Server", chain)
	}
	if f.AccumulationPoint.Class != "TimersList" {
		t.Errorf("accumulation point %+v", f.AccumulationPoint)
	}
	// The locations as the reports show them, one row per location.
	if len(r.Where) != len(r.Findings) || len(r.Where[0]) != len(f.Locations) || len(f.Locations) == 0 {
		t.Fatalf("%d where lists for %d findings; %d rows for %d locations", len(r.Where), len(r.Findings), len(r.Where[0]), len(f.Locations))
	}
	if w := r.Where[0][0]; w.Role != f.Locations[0].Role || w.Name != "checkConnections" || w.Place != "node:_http_server:606:26" || w.Origin != "runtime" {
		t.Errorf("where row 0: %+v", w)
	}
	var again leakReport
	mustGet(t, ts, "/api/leaks?minGrowth=5000", &again)
	if again.Verdict != "no-leak" {
		t.Errorf("minGrowth=5000: verdict %q", again.Verdict)
	}
	one := newTestServer(t, 1)
	if code := get(t, one, "/api/leaks", nil); code != http.StatusBadRequest {
		t.Errorf("leaks of one snapshot: %d, want 400", code)
	}
}

func TestComparison(t *testing.T) {
	ts := newTestServer(t, 3)
	type row struct {
		ID            int    `json:"id"`
		Key           string `json:"key"`
		Name          string `json:"name"`
		AddedCount    int    `json:"addedCount"`
		RemovedCount  int    `json:"removedCount"`
		CountDelta    int    `json:"countDelta"`
		SizeDelta     int64  `json:"sizeDelta"`
		RetainedDelta int64  `json:"retainedDelta"`
		InComparison  bool   `json:"inComparison"`
		Location      *struct {
			Script string `json:"script"`
		} `json:"location"`
	}
	var p struct {
		Base, Target int
		Warnings     []string `json:"warnings"`
		Total        int      `json:"total"`
		Items        []row    `json:"items"`
	}
	mustGet(t, ts, "/api/compare/1/2?limit=1000", &p)
	if p.Base != 1 || p.Target != 2 || len(p.Warnings) != 0 || p.Total == 0 {
		t.Fatalf("compare 1→2: %+v", p)
	}
	var server *row
	for k := range p.Items {
		if c := &p.Items[k]; c.Name == "Server" && c.Location != nil && c.Location.Script == "node:_http_server" {
			server = c
		}
	}
	if server == nil || server.AddedCount != 1000 || server.RemovedCount != 0 || server.CountDelta != 1000 || !server.InComparison {
		t.Fatalf("http Server row %+v", server)
	}
	var objs nodePage
	mustGet(t, ts, fmt.Sprintf("/api/compare/1/2/classes/%d/objects?which=new&offset=900", server.ID), &objs)
	if objs.Total != 1000 || len(objs.Items) != 100 || objs.Items[0].Class != "Server" {
		t.Errorf("new Servers: total %d, %d items", objs.Total, len(objs.Items))
	}
	mustGet(t, ts, fmt.Sprintf("/api/compare/1/2/classes/%d/objects?which=deleted", server.ID), &objs)
	if objs.Total != 0 {
		t.Errorf("deleted Servers: %d", objs.Total)
	}
	// Any two snapshots, sorted by count.
	mustGet(t, ts, "/api/compare/0/2?sort=count&limit=3", &p)
	if len(p.Items) != 3 || p.Items[0].CountDelta < p.Items[1].CountDelta {
		t.Errorf("compare 0→2 by count: %+v", p.Items)
	}
	for _, bad := range []string{"/api/compare/1/1", "/api/compare/0/2?sort=name", "/api/compare/0/2/classes/0/objects?which=old"} {
		if code := get(t, ts, bad, nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
	if code := get(t, ts, "/api/compare/0/7", nil); code != http.StatusNotFound {
		t.Errorf("compare with snapshot 7: %d, want 404", code)
	}
}

func TestObjectPage(t *testing.T) {
	ts := newTestServer(t, 3)
	var r leakReport
	mustGet(t, ts, "/api/leaks", &r)
	id := r.Findings[0].Representative.ID
	var o struct {
		Node       node   `json:"node"`
		Retainers  int    `json:"retainers"`
		Detached   string `json:"detachedness"`
		Location   *struct{ Script string }
		Dominators struct {
			Depth  int    `json:"depth"`
			Head   []node `json:"head"`
			Elided int    `json:"elided"`
			Tail   []node `json:"tail"`
		} `json:"dominators"`
	}
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/objects/@%d", id), &o)
	if o.Node.ID != id || o.Node.Class != "Server" || o.Location == nil || o.Location.Script != "node:_http_server" || o.Retainers == 0 {
		t.Fatalf("object @%d: %+v", id, o)
	}
	if o.Dominators.Depth == 0 || o.Dominators.Head[0].Name != "(root)" || len(o.Dominators.Head)+len(o.Dominators.Tail)+o.Dominators.Elided != o.Dominators.Depth {
		t.Errorf("dominator chain %+v", o.Dominators)
	}
	var paths struct {
		Paths [][]struct {
			Edge string `json:"edge"`
			Node node   `json:"node"`
		} `json:"paths"`
	}
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/objects/%d/paths?k=2", id), &paths)
	if len(paths.Paths) == 0 {
		t.Fatal("no retainer path")
	}
	p := paths.Paths[0]
	var classes []string
	for _, h := range p {
		classes = append(classes, h.Node.Class)
	}
	if p[0].Edge != "" || p[len(p)-1].Node.ID != id || !strings.Contains(strings.Join(classes, " "), "TimersList") {
		t.Errorf("path %v", classes)
	}
	var edges struct {
		Total int `json:"total"`
		Items []struct {
			Type string `json:"type"`
			Name string `json:"name"`
			Node node   `json:"node"`
		} `json:"items"`
	}
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/objects/%d/edges?limit=5", id), &edges)
	if edges.Total != o.Node.Edges || len(edges.Items) != min(5, edges.Total) {
		t.Errorf("edges: total %d (node says %d), %d items", edges.Total, o.Node.Edges, len(edges.Items))
	}
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/objects/%d/retainers", id), &edges)
	if edges.Total != o.Retainers || edges.Items[0].Name == "" {
		t.Errorf("retainers: %+v", edges)
	}
	// The dominator tree from the root, biggest first, in pages.
	var snaps struct {
		Snapshots []struct {
			RootID uint32 `json:"rootId"`
		} `json:"snapshots"`
	}
	mustGet(t, ts, "/api/snapshots", &snaps)
	var kids struct {
		Total int `json:"total"`
		Items []struct {
			Edge string `json:"edge"`
			Node node   `json:"node"`
		} `json:"items"`
	}
	mustGet(t, ts, fmt.Sprintf("/api/snapshots/2/objects/%d/dominated?limit=3", snaps.Snapshots[2].RootID), &kids)
	if kids.Total < 3 || len(kids.Items) != 3 || kids.Items[0].Node.Class != "TimersList" || kids.Items[1].Node.Retained > kids.Items[0].Node.Retained {
		t.Errorf("root's dominated: %+v", kids)
	}
	for path, want := range map[string]int{
		"/api/snapshots/2/objects/xyz":             http.StatusBadRequest,
		"/api/snapshots/2/objects/4000000000":      http.StatusNotFound,
		"/api/snapshots/2/objects/1/paths?k=0":     http.StatusBadRequest,
		"/api/snapshots/2/objects/1/edges?limit=x": http.StatusBadRequest,
		"/api/nothing": http.StatusNotFound,
	} {
		if code := get(t, ts, path, nil); code != want {
			t.Errorf("%s: %d, want %d", path, code, want)
		}
	}
}

// TestConcurrentRequests runs the requests that re-classify a graph
// (Comparison, leaks) alongside those that read it; go test -race checks
// the locking.
func TestConcurrentRequests(t *testing.T) {
	ts := newTestServer(t, 3)
	paths := []string{
		"/api/compare/0/1", "/api/compare/1/2", "/api/compare/0/2", "/api/leaks", "/api/leaks?minGrowth=5",
		"/api/snapshots/0/summary", "/api/snapshots/1/classes/3/instances", "/api/snapshots/0/objects/1/dominated",
		"/api/snapshots/1/objects/1/edges", "/api/snapshots/2/summary?sort=count",
	}
	var wg sync.WaitGroup
	for k := 0; k < 3; k++ {
		for _, p := range paths {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code := get(t, ts, p, nil); code != http.StatusOK {
					t.Errorf("%s: %d", p, code)
				}
			}()
		}
	}
	wg.Wait()
}

func TestNewRejectsNothing(t *testing.T) {
	if _, err := New(nil, Options{}); err == nil {
		t.Error("New with no snapshot succeeded")
	}
	if _, err := New([]Snapshot{{Name: "x"}}, Options{}); err == nil {
		t.Error("New with a nil graph succeeded")
	}
	srv, err := New(loadSeries(t)[:1], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Token()) < 32 {
		t.Errorf("random token %q is short", srv.Token())
	}
}

// TestAnalysesBesideObjectPages runs the analyses (Comparison, leaks)
// alongside the object endpoints of the snapshots they read, with no lock
// between them: every answer must be the one the same request gets alone.
// Under go test -race it also checks that no analysis writes a graph.
func TestAnalysesBesideObjectPages(t *testing.T) {
	// Until diff.Compare and leak stop re-classifying the graphs they read
	// (issue 10, item 3; another branch), an object page shown during a
	// Comparison can show the re-keyed class: remove this skip at the merge.
	ts := newTestServer(t, 3)
	var lr struct {
		Findings []struct {
			Representative struct {
				ID uint32 `json:"id"`
			} `json:"representative"`
		} `json:"findings"`
	}
	// A server of its own, so that ts's caches start empty.
	mustGet(t, newTestServer(t, 3), "/api/leaks", &lr)
	if len(lr.Findings) == 0 {
		t.Fatal("no finding")
	}
	id := lr.Findings[0].Representative.ID
	objects := []string{
		fmt.Sprintf("/api/snapshots/2/objects/%d", id),
		fmt.Sprintf("/api/snapshots/2/objects/%d/paths?k=3", id),
		fmt.Sprintf("/api/snapshots/2/objects/%d/retainers", id),
		"/api/snapshots/0/objects/1/dominated?limit=50",
		"/api/snapshots/0/objects/1/edges",
		"/api/snapshots/1/objects/1/dominated?limit=50",
		"/api/snapshots/0/classes/0/instances",
	}
	alone := map[string]string{}
	for _, p := range objects {
		alone[p] = body(t, ts, p)
	}
	analyses := []string{"/api/compare/0/2", "/api/compare/1/2", "/api/compare/0/1", "/api/leaks", "/api/leaks?minGrowth=3"}
	var wg sync.WaitGroup
	for k := 0; k < 4; k++ {
		for _, p := range analyses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code := get(t, ts, p, nil); code != http.StatusOK {
					t.Errorf("%s: %d", p, code)
				}
			}()
		}
		for _, p := range objects {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got := body(t, ts, p); got != alone[p] {
					t.Errorf("%s during analyses:\n%s\nalone:\n%s", p, got, alone[p])
				}
			}()
		}
	}
	wg.Wait()
}

// body fetches an API path with the token and returns the answer as text.
func body(t *testing.T, ts *httptest.Server, path string) string {
	t.Helper()
	req, err := http.NewRequest("GET", ts.URL+path, nil)
	if err != nil {
		t.Error(err)
		return ""
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("%s: status %d, %v", path, res.StatusCode, err)
	}
	return string(b)
}

// TestHandlerPanic: a panic in a handler answers 500 with a one-line body
// and logs one line, instead of net/http's stack dump (issue 13, item 3).
func TestHandlerPanic(t *testing.T) {
	ts := newTestServer(t, 1)
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)
	defer panicerr.Inject("web: a request")()
	for _, path := range []string{"/api/snapshots", "/"} {
		req, err := http.NewRequest("GET", ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		line, ok := strings.CutSuffix(string(b), "\n")
		if res.StatusCode != http.StatusInternalServerError || !ok || strings.Contains(line, "\n") || !strings.Contains(line, "internal error in web: a request") {
			t.Errorf("GET %s: status %d, body %q; want 500 and one line", path, res.StatusCode, b)
		}
	}
	if n := strings.Count(logged.String(), "\n"); n != 2 || strings.Contains(logged.String(), "goroutine") {
		t.Errorf("logged %q, want one line a request", logged.String())
	}
}

// TestLoneSurrogateKeys: two classes whose names differ only in their lone
// surrogates show one U+FFFD each and keep distinct keys (issue 13, item 6).
func TestLoneSurrogateKeys(t *testing.T) {
	meta := `{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],` +
		`"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],` +
		`"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"]},` +
		`"node_count":3,"edge_count":2},`
	// SYNTHETIC: a root with an object named "X\uD800" and one named "X\uD801".
	in := meta + `"nodes":[9,0,1,0,2,0,0,3,1,3,32,0,0,0,3,2,5,16,0,0,0],"edges":[1,0,7,1,1,14],"strings":["","X\uD800","X\uD801"]}`
	s, err := snapshot.Read(strings.NewReader(in), snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New([]Snapshot{{Name: "surrogates", Graph: graph.Analyze(s, graph.Options{})}}, Options{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	var p struct {
		Items []struct{ Key, Name string }
	}
	mustGet(t, ts, "/api/snapshots/0/summary", &p)
	keys := map[string]bool{}
	for _, c := range p.Items {
		if strings.HasPrefix(c.Name, "X") {
			if c.Name != "X\uFFFD" {
				t.Errorf("name %q, want %q", c.Name, "X\uFFFD")
			}
			keys[c.Key] = true
		}
	}
	if len(keys) != 2 {
		t.Errorf("keys %v, want two distinct ones", keys)
	}
}
