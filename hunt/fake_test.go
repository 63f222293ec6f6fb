package hunt

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/heapscope/heapscope/huntdir"
	"github.com/heapscope/heapscope/inspector"
	"github.com/heapscope/heapscope/internal/corpustest"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/leak"
)

// fakeNode is an inspector endpoint that answers like Node.js, for tests that
// must not depend on a real process: it serves real snapshots of the corpus
// (written by Node.js 20.3.1) as addHeapSnapshotChunk events, and can drop
// the connection or send garbage at chosen points.
type fakeNode struct {
	t *testing.T
	// snapshots are served in turn, one per takeHeapSnapshot.
	snapshots []string
	// used returns the heap usage of the k-th getHeapUsage call.
	used func(k int) float64
	// dropAfterChunks closes the connection after that many chunks of the
	// first snapshot (0: never).
	dropAfterChunks int
	// garbageOn answers this method with a malformed message.
	garbageOn string
	// silentOn never answers this method.
	silentOn string

	mu       sync.Mutex
	served   int
	usage    int
	methods  []string
	chunkLen int
}

func (f *fakeNode) serve(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	ctx := context.Background()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var m struct {
			ID     int64           `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if json.Unmarshal(data, &m) != nil {
			return
		}
		f.mu.Lock()
		f.methods = append(f.methods, m.Method)
		f.mu.Unlock()
		reply := func(result any) bool {
			b, _ := json.Marshal(map[string]any{"id": m.ID, "result": result})
			return c.Write(ctx, websocket.MessageText, b) == nil
		}
		event := func(method string, params any) bool {
			b, _ := json.Marshal(map[string]any{"method": method, "params": params})
			return c.Write(ctx, websocket.MessageText, b) == nil
		}
		switch {
		case m.Method == f.silentOn:
			continue
		case m.Method == f.garbageOn:
			c.Write(ctx, websocket.MessageText, []byte(`{"id":`))
			continue
		}
		switch m.Method {
		case inspector.MethodEvaluate:
			var p inspector.EvaluateParams
			json.Unmarshal(m.Params, &p)
			var v any = true
			switch {
			case strings.Contains(p.Expression, "process.pid"):
				v = 4242
			case p.Expression == "1":
				v = 1
			}
			reply(map[string]any{"result": map[string]any{"type": "number", "value": v}})
		case inspector.MethodGetHeapUsage:
			f.mu.Lock()
			k := f.usage
			f.usage++
			f.mu.Unlock()
			reply(map[string]any{"usedSize": f.used(k), "totalSize": 2 * f.used(k)})
		case inspector.MethodTakeHeapSnapshot:
			f.mu.Lock()
			k := f.served
			f.served++
			f.mu.Unlock()
			text := readGz(f.t, f.snapshots[k%len(f.snapshots)])
			n := 0
			for len(text) > 0 {
				size := min(len(text), f.chunkLen)
				if !event(inspector.EventAddHeapSnapshotChunk, map[string]string{"chunk": string(text[:size])}) {
					return
				}
				text = text[size:]
				n++
				if f.dropAfterChunks > 0 && n == f.dropAfterChunks && k == 0 {
					c.Close(websocket.StatusGoingAway, "process died")
					return
				}
			}
			event(inspector.EventReportSnapshotProgress, map[string]any{"done": 1, "total": 1, "finished": true})
			reply(map[string]any{})
		default:
			reply(map[string]any{})
		}
	}
}

func readGz(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func corpus(name string) string {
	return corpustest.Snapshot(name)
}

// start serves f and returns a Target connected to it.
func (f *fakeNode) start(t *testing.T) *Target {
	t.Helper()
	if f.chunkLen == 0 {
		f.chunkLen = 100 << 10 // Node.js sends about 100 KB per chunk
	}
	if f.used == nil {
		f.used = func(int) float64 { return 10e6 }
	}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	c, err := inspector.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/fake")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	tg, err := NewTarget(ctx, c, false)
	if err != nil {
		t.Fatal(err)
	}
	tg.CallTimeout = 2 * time.Second
	tg.BusyTimeout = 200 * time.Millisecond
	return tg
}

var series = []string{
	corpus("seed-leak-series__node-20.3.1__0"),
	corpus("seed-leak-series__node-20.3.1__1000"),
	corpus("seed-leak-series__node-20.3.1__2000"),
}

// hunt runs a whole hunt over tg, a session with the fake.
func hunt(t *testing.T, tg *Target, o Options) (*Result, error) {
	t.Helper()
	s := &Session{Target: tg, client: tg.C}
	defer s.Close()
	return s.Hunt(context.Background(), o)
}

// TestHuntOverFakeInspector runs a whole time-mode hunt against the fake:
// a heap that grows by 1 MB a sample, three real snapshots streamed as
// chunks, each added to the leak series as it arrives, and the verdict.
func TestHuntOverFakeInspector(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series, used: func(k int) float64 { return 20e6 + 1e6*float64(k) }}
	tg := f.start(t)
	if tg.PID != 4242 || tg.Local {
		t.Fatalf("pid %d local %v", tg.PID, tg.Local)
	}
	res, err := hunt(t, tg, Options{Interval: 10 * time.Millisecond, Duration: 100 * time.Millisecond, Gap: 10 * time.Millisecond, Snapshots: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Trend == nil || !res.Trend.Growing || res.Busy {
		t.Fatalf("trend %+v busy %v", res.Trend, res.Busy)
	}
	if res.Report == nil || len(res.Report.Snapshots) != 3 || len(res.Snapshots) != 3 {
		t.Fatalf("report %+v, %d snapshots", res.Report, len(res.Snapshots))
	}
	for k, st := range res.Snapshots {
		want := len(readGz(t, series[k]))
		if st.Method != MethodCDP || st.Bytes != int64(want) || st.Nodes != res.Report.Snapshots[k].Nodes {
			t.Errorf("snapshot %d: %+v, want %d bytes, %d nodes", k, st, want, res.Report.Snapshots[k].Nodes)
		}
	}
	// The seed series leaks (the same verdict as "heapscope leaks" on it).
	if res.Report.Verdict != "leak" || res.VerdictMillis <= 0 {
		t.Errorf("verdict %q after %dms", res.Report.Verdict, res.VerdictMillis)
	}
	// Collections went through HeapProfiler (the event loop turns).
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.Contains(strings.Join(f.methods, " "), inspector.MethodCollectGarbage) {
		t.Errorf("no collectGarbage among %v", f.methods)
	}
}

func TestFlatHeapTakesNoSnapshot(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series}
	res, err := hunt(t, f.start(t), Options{Interval: 10 * time.Millisecond, Duration: 100 * time.Millisecond, Snapshots: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Trend.Growing || len(res.Snapshots) != 0 || res.SkippedSnapshots == "" {
		t.Fatalf("flat heap: %+v", res)
	}
	// The trend alone is the verdict.
	if r := res.Report; r == nil || r.Verdict != "no-leak" || len(r.Snapshots) != 0 || r.MinGrowth != leak.DefaultMinGrowth || res.VerdictMillis != 0 {
		t.Fatalf("trend-only verdict %+v", r)
	}
}

// Too few samples to decide is no "no leak": the verdict is inconclusive.
func TestTooFewSamplesIsInconclusive(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series}
	res, err := hunt(t, f.start(t), Options{Interval: 50 * time.Millisecond, Duration: 60 * time.Millisecond, Snapshots: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Trend.Insufficient || len(res.Snapshots) != 0 || !strings.HasPrefix(res.SkippedSnapshots, "too few samples") {
		t.Fatalf("two samples: trend %+v, skipped %q", res.Trend, res.SkippedSnapshots)
	}
	if r := res.Report; r == nil || r.Verdict != "inconclusive" {
		t.Fatalf("verdict %+v, want inconclusive", r)
	}
}

func TestSocketDropsMidSnapshot(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series, dropAfterChunks: 3}
	tg := f.start(t)
	done := make(chan error, 1)
	go func() {
		_, _, err := tg.Snapshot(context.Background(), SnapshotOptions{Label: "snapshot 1 of 3"})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "dropped after 300 KiB") {
			t.Fatalf("error %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("snapshot hangs after the socket dropped")
	}
}

func TestSnapshotTooBig(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series}
	_, st, err := f.start(t).Snapshot(context.Background(), SnapshotOptions{Label: "s", MaxBytes: 1 << 20})
	if _, ok := err.(interface{ Unwrap() error }); !ok || !strings.Contains(err.Error(), "snapshot too big: more than 1.0 MiB") {
		t.Fatalf("error %v", err)
	}
	if st.Bytes <= 1<<20 {
		t.Errorf("read %d bytes", st.Bytes)
	}
}

func TestSnapshotSaved(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series}
	path := filepath.Join(t.TempDir(), "s.heapsnapshot")
	_, st, err := f.start(t).Snapshot(context.Background(), SnapshotOptions{Label: "s", SavePath: path})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(readGz(t, series[0])) || st.Saved != path {
		t.Fatalf("saved copy differs (%v, %d bytes)", err, len(got))
	}
}

func TestMalformedAnswerEndsSession(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series, garbageOn: inspector.MethodGetHeapUsage}
	tg := f.start(t)
	_, err := tg.Usage(context.Background())
	if err == nil || !strings.Contains(err.Error(), "malformed message") {
		t.Fatalf("error %v", err)
	}
	if _, err := tg.Usage(context.Background()); err == nil {
		t.Fatal("a call after the session ended succeeded")
	}
}

func TestSilentTargetTimesOut(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series, silentOn: inspector.MethodGetHeapUsage}
	tg := f.start(t)
	tg.CallTimeout = 150 * time.Millisecond
	start := time.Now()
	_, err := tg.Usage(context.Background())
	var te *inspector.TimeoutError
	if !asTimeout(err, &te) || time.Since(start) > 2*time.Second {
		t.Fatalf("error %v after %s", err, time.Since(start))
	}
}

func asTimeout(err error, te **inspector.TimeoutError) bool {
	for err != nil {
		if e, ok := err.(*inspector.TimeoutError); ok {
			*te = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func TestBusyDetection(t *testing.T) {
	// A target whose event loop never turns: awaited promises never settle,
	// collectGarbage never answers, Runtime.evaluate does.
	f := &fakeNode{t: t, snapshots: series, silentOn: inspector.MethodCollectGarbage}
	tg := f.start(t)
	tg.CallTimeout = 200 * time.Millisecond
	if err := tg.GC(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !tg.Busy() {
		t.Fatal("a collectGarbage that never answers did not mark the main thread busy")
	}
}

// A growing heap with no snapshots asked for: the trend is the verdict.
func TestTrendOnlyVerdictGrowing(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series, used: func(k int) float64 { return 20e6 + 1e6*float64(k) }}
	res, err := hunt(t, f.start(t), Options{Interval: 10 * time.Millisecond, Duration: 100 * time.Millisecond, MinGrowth: 7})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Report; r == nil || r.Verdict != "growing" || len(r.Snapshots) != 0 || len(r.Findings) != 0 || r.MinGrowth != 7 {
		t.Fatalf("trend-only verdict %+v", r)
	}
	if !strings.Contains(res.SkippedSnapshots, "--snapshots 0") {
		t.Errorf("skipped: %q", res.SkippedSnapshots)
	}
}

// With SaveDir the snapshots and the heap samples land in the directory
// huntdir reads back, in the order they were taken, and the report names
// the saved files.
func TestHuntSavesDirectory(t *testing.T) {
	dir := t.TempDir()
	f := &fakeNode{t: t, snapshots: series}
	res, err := hunt(t, f.start(t), Options{Interval: 10 * time.Millisecond, Duration: 50 * time.Millisecond, Gap: 10 * time.Millisecond,
		Snapshots: 2, ForceSnapshots: true, SaveDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	snaps, samples, err := huntdir.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 || res.Report == nil || len(res.Report.Snapshots) != 2 {
		t.Fatalf("saved %v, report %+v", snaps, res.Report)
	}
	for k, p := range snaps {
		if res.Snapshots[k].Saved != p || res.Report.Snapshots[k].Name != p {
			t.Errorf("snapshot %d saved as %s, reported as %s", k, res.Snapshots[k].Saved, res.Report.Snapshots[k].Name)
		}
		if got, _ := os.ReadFile(p); string(got) != string(readGz(t, series[k])) {
			t.Errorf("%s differs from what V8 sent", p)
		}
	}
	if s := samples.Samples; len(s) != len(res.Samples) || s[len(s)-1].UsedBytes != res.Samples[len(res.Samples)-1].UsedBytes {
		t.Errorf("saved %d samples, measured %d", len(s), len(res.Samples))
	}
	// The snapshot times, on the samples' clock, in order.
	if times := samples.SnapshotTimes; len(times) != 2 || times[0] > times[1] || times[1] > res.Samples[len(res.Samples)-1].TimeMillis+1000 {
		t.Errorf("snapshot times %v for %d snapshots", times, len(snaps))
	}
}

// Hunt ends the session; a later Close does nothing more.
func TestSessionClosesOnce(t *testing.T) {
	f := &fakeNode{t: t, snapshots: series}
	tg := f.start(t)
	s := &Session{Target: tg, client: tg.C}
	if _, err := s.Hunt(context.Background(), Options{Interval: 10 * time.Millisecond, Duration: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-tg.C.Done():
	default:
		t.Fatal("the session is still open after Hunt")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPanicInSnapshotGoroutines: a panic in a goroutine of a snapshot's
// streaming ends the snapshot with that panic as its error, not the
// process (issue 13, item 3).
func TestPanicInSnapshotGoroutines(t *testing.T) {
	for _, where := range []string{"hunt: parsing the snapshot", "snapshot: read-ahead", "hunt: the idle watch"} {
		t.Run(where, func(t *testing.T) {
			f := &fakeNode{t: t, snapshots: series}
			tg := f.start(t)
			defer panicerr.Inject(where)()
			done := make(chan error, 1)
			go func() {
				_, _, err := tg.Snapshot(context.Background(), SnapshotOptions{Label: "snapshot 1 of 3"})
				done <- err
			}()
			select {
			case err := <-done:
				var pe *panicerr.Error
				if !errors.As(err, &pe) || pe.Where != where {
					t.Fatalf("error %v, want the panic in %q", err, where)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("snapshot hangs after a panic")
			}
		})
	}
}
