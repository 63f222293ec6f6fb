package hunt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/huntdir"
	"github.com/heapscope/heapscope/inspector"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/snapshot"
)

// SnapshotOptions controls one snapshot.
type SnapshotOptions struct {
	// Label names the snapshot in messages ("snapshot 2 of 3").
	Label string
	// SavePath, if set, receives a copy of the snapshot as it streams.
	SavePath string
	// MaxBytes stops reading a snapshot larger than this (0: no limit);
	// AutoLimit says it was derived from the memory available.
	MaxBytes  int64
	AutoLimit bool
	// Progress shows bytes and phases on a terminal (nil: silent).
	Progress Progress
}

// SnapshotStats describes one snapshot taken.
type SnapshotStats struct {
	Label string `json:"label"`
	// AtMillis is when the snapshot was asked for, on the samples' clock
	// (milliseconds since the hunt started).
	AtMillis int64 `json:"atMillis"`
	// Method is "HeapProfiler.takeHeapSnapshot" or "v8.writeHeapSnapshot (FIFO)".
	Method string `json:"method"`
	Bytes  int64  `json:"bytes"`
	// Nodes is the parsed snapshot's node count.
	Nodes int `json:"nodes"`
	// TookMillis is the time from the request to the parsed snapshot;
	// ParseMillis the time from the last byte V8 sent to the parsed
	// snapshot (the parser works while V8 writes); AnalyzeMillis the graph
	// analysis.
	TookMillis    int64  `json:"tookMillis"`
	ParseMillis   int64  `json:"parseTailMillis"`
	AnalyzeMillis int64  `json:"analyzeMillis"`
	Saved         string `json:"saved,omitempty"`
	// LastByte is when V8's last byte arrived.
	LastByte time.Time `json:"-"`
}

// Method names for SnapshotStats.
const (
	MethodCDP  = "HeapProfiler.takeHeapSnapshot"
	MethodFIFO = "v8.writeHeapSnapshot (FIFO)"
)

// TooBigError is returned when a snapshot exceeds SnapshotOptions.MaxBytes.
type TooBigError struct {
	Limit int64
	// Auto is true when the limit was derived from the memory available.
	Auto bool
}

func (e *TooBigError) Error() string {
	why := "the limit asked for"
	if e.Auto {
		why = "half the memory available when it started"
	}
	return fmt.Sprintf("snapshot too big: more than %s (%s; see --max-snapshot-size)", humanize.IBytes(uint64(e.Limit)), why)
}

// meter counts the bytes that pass, enforces the size limit, records when
// bytes last arrived, and tees them to a file.
type meter struct {
	r        io.Reader
	n        atomic.Int64
	last     atomic.Int64 // unix nanos of the last read
	limit    int64
	auto     bool
	save     io.Writer
	progress func(int64)
	// startProgress makes progress on the first byte (V8 reports its walk
	// of the heap as phases before it writes anything).
	startProgress func() func(int64)
}

func (m *meter) Read(p []byte) (int, error) {
	k, err := m.r.Read(p)
	if k > 0 {
		if m.startProgress != nil {
			m.progress, m.startProgress = m.startProgress(), nil
		}
		m.last.Store(time.Now().UnixNano())
		total := m.n.Add(int64(k))
		if m.save != nil {
			if _, werr := m.save.Write(p[:k]); werr != nil {
				return k, fmt.Errorf("save snapshot: %w", werr)
			}
		}
		if m.progress != nil {
			m.progress(total)
		}
		if m.limit > 0 && total > m.limit {
			return k, &TooBigError{Limit: m.limit, Auto: m.auto}
		}
	}
	return k, err
}

// Snapshot takes a heap snapshot, parses it while V8 writes it, and returns
// the analysed graph. While the event loop turns it uses
// HeapProfiler.takeHeapSnapshot (chunks over the socket); when the main
// thread is busy and the target is local, v8.writeHeapSnapshot into a FIFO.
// Nothing is written to disk unless opt.SavePath is set.
func (t *Target) Snapshot(ctx context.Context, opt SnapshotOptions) (*graph.Graph, SnapshotStats, error) {
	st := SnapshotStats{Label: opt.Label}
	if opt.Progress == nil {
		opt.Progress = silent{}
	}
	if t.Via == ViaFIFO && !t.Local {
		return nil, st, fmt.Errorf("%s: a FIFO needs the target on this machine", opt.Label)
	}
	if !t.busy && t.Via != ViaFIFO {
		// A program may have stopped yielding since the last look; on
		// Node.js 22 takeHeapSnapshot would then never answer.
		if _, err := t.DetectBusy(ctx); err != nil {
			return nil, st, err
		}
	}
	var save *os.File
	if opt.SavePath != "" {
		f, err := huntdir.Create(opt.SavePath)
		if err != nil {
			return nil, st, fmt.Errorf("save snapshot: %w", err)
		}
		save = f
		st.Saved = opt.SavePath
		defer func() {
			if cerr := save.Close(); cerr != nil && st.Saved != "" {
				t.logf("save %s: %v", opt.SavePath, cerr)
			}
		}()
	}
	start := time.Now()
	var (
		s        *snapshot.Snapshot
		lastByte time.Time
		err      error
	)
	m := &meter{limit: opt.MaxBytes, auto: opt.AutoLimit}
	if save != nil {
		m.save = save
	}
	m.startProgress = func() func(int64) { return opt.Progress.Reading(opt.Label, -1) }
	if t.Via == ViaFIFO || (t.busy && t.Local && t.Via != ViaInspector) {
		st.Method = MethodFIFO
		s, lastByte, err = t.snapshotFIFO(ctx, m)
	} else {
		st.Method = MethodCDP
		s, lastByte, err = t.snapshotCDP(ctx, m, opt)
	}
	st.Bytes = m.n.Load()
	var tb *TooBigError
	if errors.As(err, &tb) {
		err = tb // the parser's position adds nothing
	}
	if err != nil {
		if save != nil {
			save.Close()
			os.Remove(opt.SavePath)
			st.Saved = ""
		}
		return nil, st, fmt.Errorf("%s: %w", opt.Label, err)
	}
	parsed := time.Now()
	st.TookMillis = parsed.Sub(start).Milliseconds()
	if lastByte.IsZero() {
		lastByte = parsed
	}
	st.LastByte = lastByte
	st.ParseMillis = max(0, parsed.Sub(lastByte).Milliseconds())
	st.Nodes = s.NodeCount()
	g := graph.Analyze(s, graph.Options{Phase: opt.Progress.Phase})
	st.AnalyzeMillis = time.Since(parsed).Milliseconds()
	opt.Progress.Done()
	t.snapshots++
	return g, st, nil
}

// idleWatch calls stop once no byte or event has arrived for d.
func idleWatch(d time.Duration, last func() int64, stop func(error)) (cancel func()) {
	done := make(chan struct{})
	go func() {
		err := panicerr.Call("hunt: the idle watch", func() error {
			tick := time.NewTicker(min(d/4, time.Second))
			defer tick.Stop()
			for {
				select {
				case <-done:
					return nil
				case <-tick.C:
					if idle := time.Since(time.Unix(0, last())); idle > d {
						return fmt.Errorf("no progress from V8 for %s", idle.Round(time.Second))
					}
				}
			}
		})
		if err != nil {
			stop(err)
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

func (t *Target) idleTimeout() time.Duration {
	if t.IdleTimeout <= 0 {
		return DefaultIdleTimeout
	}
	return t.IdleTimeout
}

// longCall is the context for a call whose length depends on the heap's
// size: it ends only when the idle watch (or the caller) ends it, with the
// watch's error as its cause.
func longCall(ctx context.Context) (context.Context, func(error)) {
	ctx, cancelCause := context.WithCancelCause(ctx)
	// A deadline keeps the client from applying its short default timeout.
	ctx, cancelDeadline := context.WithDeadline(ctx, time.Now().Add(7*24*time.Hour))
	return ctx, func(err error) {
		cancelCause(err)
		cancelDeadline()
	}
}

func (t *Target) snapshotCDP(ctx context.Context, m *meter, opt SnapshotOptions) (*snapshot.Snapshot, time.Time, error) {
	if err := t.enableHeapProfiler(ctx); err != nil {
		return nil, time.Time{}, err
	}
	pr, pw := io.Pipe()
	m.r = pr
	var lastEvent atomic.Int64
	lastEvent.Store(time.Now().UnixNano())
	var bad atomic.Value // error: a malformed chunk
	var lastChunk atomic.Int64
	// received counts what the target sent: chunk handlers run in order on
	// the session's goroutine, so when a drop is seen every chunk before it
	// is counted, whether or not the parser has read it yet.
	var received atomic.Int64
	// Subscribe before the command: every chunk arrives before its answer.
	unsubChunk := t.C.Subscribe(inspector.EventAddHeapSnapshotChunk, func(p json.RawMessage) {
		lastEvent.Store(time.Now().UnixNano())
		var c inspector.SnapshotChunk
		if err := json.Unmarshal(p, &c); err != nil {
			err = fmt.Errorf("malformed %s event: %w", inspector.EventAddHeapSnapshotChunk, err)
			bad.CompareAndSwap(nil, err)
			pw.CloseWithError(err)
			return
		}
		received.Add(int64(len(c.Chunk)))
		// Blocks while the parser is behind (back-pressure); fails at once
		// once the parser has stopped, and the rest is dropped.
		_, _ = io.WriteString(pw, c.Chunk)
		lastChunk.Store(time.Now().UnixNano())
	})
	defer unsubChunk()
	var lastPhase atomic.Int64
	unsubProgress := t.C.Subscribe(inspector.EventReportSnapshotProgress, func(p json.RawMessage) {
		now := time.Now()
		lastEvent.Store(now.UnixNano())
		var sp inspector.SnapshotProgress
		if json.Unmarshal(p, &sp) == nil && sp.Total > 0 && opt.Progress != nil && now.UnixNano()-lastPhase.Load() > int64(200*time.Millisecond) {
			lastPhase.Store(now.UnixNano())
			opt.Progress.Phase(fmt.Sprintf("%s: V8 has walked %d%% of the heap", opt.Label, 100*sp.Done/sp.Total))
		}
	})
	defer unsubProgress()

	type parsed struct {
		s   *snapshot.Snapshot
		err error
	}
	done := make(chan parsed, 1)
	go func() {
		var s *snapshot.Snapshot
		err := panicerr.Call("hunt: parsing the snapshot", func() (err error) {
			s, err = snapshot.Read(m, snapshot.Options{})
			return err
		})
		if err != nil {
			pr.CloseWithError(err)
		} else {
			// Anything after the document is ignored; keep the writer from blocking.
			panicerr.Go("hunt: draining the snapshot", func() error { _, err := io.Copy(io.Discard, pr); return err })
		}
		done <- parsed{s, err}
	}()

	cctx, cancel := longCall(ctx)
	defer cancel(nil)
	stopWatch := idleWatch(t.idleTimeout(), func() int64 { return max(lastEvent.Load(), m.last.Load()) }, cancel)
	err := t.C.Call(cctx, inspector.MethodTakeHeapSnapshot, inspector.TakeHeapSnapshotParams{ReportProgress: true}, nil)
	stopWatch()
	if err != nil {
		if cause := context.Cause(cctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		if errors.Is(err, inspector.ErrClosed) {
			err = fmt.Errorf("the inspector connection dropped after %s of the snapshot: %w", humanize.IBytes(uint64(received.Load())), err)
		}
		pw.CloseWithError(err)
		p := <-done
		var tb *TooBigError
		if errors.As(p.err, &tb) {
			return nil, time.Time{}, tb
		}
		return nil, time.Time{}, err
	}
	if e, _ := bad.Load().(error); e != nil {
		pw.CloseWithError(e)
	} else {
		pw.Close()
	}
	p := <-done
	if p.err != nil {
		return nil, time.Time{}, p.err
	}
	last := time.Time{}
	if n := lastChunk.Load(); n != 0 {
		last = time.Unix(0, n)
	}
	return p.s, last, nil
}

// fifoDirectory makes (once) the private directory that holds the FIFOs.
func (t *Target) fifoDirectory() (string, error) {
	if t.fifoDir != "" {
		return t.fifoDir, nil
	}
	dir, err := os.MkdirTemp("", "heapscope-")
	if err != nil {
		return "", fmt.Errorf("make a private directory for the FIFO: %w", err)
	}
	if t.UID >= 0 && os.Geteuid() == 0 && t.UID != 0 {
		// The target runs as another user: let it, and only it, in.
		if err := os.Chown(dir, t.UID, -1); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("give the FIFO directory to uid %d: %w", t.UID, err)
		}
	}
	t.fifoDir = dir
	return dir, nil
}

func (t *Target) snapshotFIFO(ctx context.Context, m *meter) (*snapshot.Snapshot, time.Time, error) {
	dir, err := t.fifoDirectory()
	if err != nil {
		return nil, time.Time{}, err
	}
	path := filepath.Join(dir, fmt.Sprintf("snapshot-%d.heapsnapshot", t.snapshots+1))
	if err := mkfifo(path); err != nil {
		return nil, time.Time{}, fmt.Errorf("make FIFO %s: %w", path, err)
	}
	defer os.Remove(path)
	if t.UID >= 0 && os.Geteuid() == 0 && t.UID != 0 {
		if err := os.Chown(path, t.UID, -1); err != nil {
			return nil, time.Time{}, fmt.Errorf("give the FIFO to uid %d: %w", t.UID, err)
		}
	}

	// Open the read end in the background: open(2) on a FIFO blocks until
	// V8 opens the write end.
	opened := make(chan *os.File, 1)
	openErr := make(chan error, 1)
	go func() {
		err := panicerr.Call("hunt: opening the FIFO", func() error {
			f, err := os.OpenFile(path, os.O_RDONLY, 0)
			if err == nil {
				opened <- f
			}
			return err
		})
		if err != nil {
			openErr <- err
		}
	}()

	type evalResult struct{ err error }
	evalDone := make(chan evalResult, 1)
	cctx, cancel := longCall(ctx)
	defer cancel(nil)
	go func() {
		evalDone <- evalResult{panicerr.Call("hunt: writing the snapshot", func() error {
			var written string
			expr := fmt.Sprintf("require('v8').writeHeapSnapshot(%s)", jsString(path))
			return t.C.Evaluate(cctx, expr, &written)
		})}
	}()

	// unblock makes a pending open(2) of the read end return (then read
	// EOF) by opening and closing the write end ourselves.
	unblock := func() {
		for range 200 {
			select {
			case f := <-opened:
				opened <- f
				return
			case <-openErr:
				openErr <- nil
				return
			default:
			}
			if w, err := openNonblocking(path, os.O_WRONLY); err == nil {
				w.Close()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	var (
		f     *os.File
		early *evalResult
	)
	select {
	case f = <-opened:
	case err := <-openErr:
		cancel(nil)
		<-evalDone
		return nil, time.Time{}, fmt.Errorf("open FIFO: %w", err)
	case r := <-evalDone:
		if r.err != nil {
			// V8 gave up before opening the FIFO.
			unblock()
			select {
			case f := <-opened:
				f.Close()
			case <-openErr:
			}
			return nil, time.Time{}, fmt.Errorf("v8.writeHeapSnapshot: %w", r.err)
		}
		// A snapshot smaller than the pipe's buffer is written before our
		// open returns; the bytes wait in the FIFO.
		early = &r
		select {
		case f = <-opened:
		case err := <-openErr:
			return nil, time.Time{}, fmt.Errorf("open FIFO: %w", err)
		case <-time.After(t.timeout()):
			unblock()
			return nil, time.Time{}, errors.New("v8.writeHeapSnapshot returned but the FIFO never opened")
		}
	case <-ctx.Done():
		cancel(nil)
		unblock()
		<-evalDone
		return nil, time.Time{}, ctx.Err()
	}
	defer f.Close()

	m.r = f
	m.last.Store(time.Now().UnixNano())
	var idleErr atomic.Value
	stopWatch := idleWatch(t.idleTimeout(), m.last.Load, func(err error) {
		idleErr.Store(err)
		cancel(err)
		f.Close() // ends a blocked read
	})
	s, perr := snapshot.Read(m, snapshot.Options{})
	lastByte := time.Unix(0, m.last.Load())
	if perr != nil {
		// Let V8 finish writing (a closed FIFO would fail its writes half way).
		io.Copy(io.Discard, f)
	}
	var r evalResult
	if early != nil {
		r = *early
	} else {
		r = <-evalDone
	}
	stopWatch()
	if e, _ := idleErr.Load().(error); e != nil {
		return nil, time.Time{}, e
	}
	if r.err != nil {
		if errors.Is(r.err, inspector.ErrClosed) {
			return nil, time.Time{}, fmt.Errorf("the inspector connection dropped after %s of the snapshot: %w", humanize.IBytes(uint64(m.n.Load())), r.err)
		}
		if perr != nil {
			var tb *TooBigError
			if errors.As(perr, &tb) {
				return nil, time.Time{}, tb
			}
		}
		return nil, time.Time{}, fmt.Errorf("v8.writeHeapSnapshot: %w", r.err)
	}
	if perr != nil {
		return nil, time.Time{}, perr
	}
	return s, lastByte, nil
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return strings.NewReplacer("\u2028", `\u2028`, "\u2029", `\u2029`).Replace(string(b))
}
