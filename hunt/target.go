// Package hunt runs heapscope's leak hunt against a live Node.js process over
// the inspector protocol: it samples heap usage after forced collections,
// decides with package trend whether the heap really grows, takes heap
// snapshots streamed straight into the parser (no file on disk), and adds
// each analysed graph to a leak.Series for the verdict. A Session is one
// process: a program started under the inspector (Launch, optionally a
// scenario module loaded into a harness) or a running one (Attach); its
// Hunt drives the scenario or HTTP requests (Options.Drive) between
// snapshots, ends the session and returns the measurements and the verdict.
//
// A main thread that never yields (a synchronous loop) is detected and
// handled: HeapProfiler.collectGarbage and, on Node.js 22, takeHeapSnapshot
// wait for a task that such a loop never runs, while Runtime.evaluate
// interrupts it. Then collections go through gc() in Runtime.evaluate and
// snapshots through v8.writeHeapSnapshot into a FIFO that heapscope reads as
// V8 writes it.
package hunt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/heapscope/heapscope/inspector"
)

// Snapshot transports for Target.Via.
const (
	ViaAuto      = "auto"
	ViaInspector = "inspector"
	ViaFIFO      = "fifo"
)

// Defaults for Target's timeouts.
const (
	DefaultCallTimeout = 10 * time.Second
	DefaultBusyTimeout = 2 * time.Second
	DefaultIdleTimeout = 60 * time.Second
)

// Target is one Node.js process reached over the inspector.
type Target struct {
	C *inspector.Client
	// PID is the target's process id (0 if unknown).
	PID int
	// Local is true when the target runs on this machine and can write a
	// FIFO that heapscope reads (needed for a busy main thread's snapshots).
	Local bool
	// UID owns the target process when known (else -1); the FIFO is given
	// to it when heapscope runs as root.
	UID int
	// CallTimeout bounds each cheap call; BusyTimeout is how long the event
	// loop may take to turn before the main thread counts as busy;
	// IdleTimeout is how long a snapshot may go without progress.
	CallTimeout, BusyTimeout, IdleTimeout time.Duration
	// Log, if set, receives one-line status messages.
	Log func(format string, args ...any)
	// Via chooses how snapshots travel: ViaAuto (the inspector socket,
	// a FIFO when the main thread is busy), ViaInspector or ViaFIFO.
	Via string
	// TrackAllocations starts V8's allocation tracking with the heap
	// profiler (SessionOptions.TrackAllocations).
	TrackAllocations bool

	busy      bool
	checked   bool
	heapOn    bool
	fifoDir   string
	snapshots int
}

// NewTarget wraps a connected client. It asks the target for its pid and
// whether it runs on this machine.
func NewTarget(ctx context.Context, c *inspector.Client, local bool) (*Target, error) {
	t := &Target{C: c, Local: local, UID: -1,
		CallTimeout: DefaultCallTimeout, BusyTimeout: DefaultBusyTimeout, IdleTimeout: DefaultIdleTimeout}
	// Right after the inspector opens, Node.js is still bootstrapping and
	// process.pid is not set yet; and a message that arrives just as the
	// main script starts a loop that never yields may wait for that loop
	// (the next message's interrupt dispatches it): ask again, briefly.
	end := time.Now().Add(t.timeout())
	for {
		var pid int
		actx, cancel := context.WithTimeout(ctx, min(time.Second, max(time.Until(end), 10*time.Millisecond)))
		err := c.Evaluate(actx, "(typeof process === 'object' && process.pid) || 0", &pid)
		cancel()
		var te *inspector.TimeoutError
		if errors.As(err, &te) && time.Now().Before(end) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ask the target for its pid: %w", err)
		}
		if pid > 0 {
			t.PID = pid
			break
		}
		if time.Now().After(end) {
			return nil, errors.New("the target has no process.pid: is it Node.js?")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	if t.Local {
		// Same machine only if the pid is ours to see; a target in another
		// pid namespace (a container) cannot share a FIFO with us anyway.
		if uid, ok := processUID(t.PID); ok {
			t.UID = uid
		} else {
			t.Local = false
		}
	}
	return t, nil
}

func (t *Target) logf(format string, args ...any) {
	if t.Log != nil {
		t.Log(format, args...)
	}
}

func (t *Target) call(ctx context.Context, method string, params, result any) error {
	ctx, cancel := context.WithTimeout(ctx, t.timeout())
	defer cancel()
	return t.C.Call(ctx, method, params, result)
}

func (t *Target) evaluate(ctx context.Context, expr string, result any) error {
	ctx, cancel := context.WithTimeout(ctx, t.timeout())
	defer cancel()
	return t.C.Evaluate(ctx, expr, result)
}

func (t *Target) timeout() time.Duration {
	if t.CallTimeout <= 0 {
		return DefaultCallTimeout
	}
	return t.CallTimeout
}

// Busy reports whether the target's main thread was last seen not yielding.
func (t *Target) Busy() bool { return t.busy }

// DetectBusy checks whether the target's event loop turns: Runtime.evaluate
// of a constant must answer at once (it interrupts running JavaScript), and a
// promise resolved by setImmediate must settle within BusyTimeout (it needs
// the event loop). When the first does not answer the target is not
// responding at all, which is an error.
func (t *Target) DetectBusy(ctx context.Context) (bool, error) {
	var one int
	if err := t.evaluate(ctx, "1", &one); err != nil {
		return false, fmt.Errorf("the target does not answer: %w", err)
	}
	d := t.BusyTimeout
	if d <= 0 {
		d = DefaultBusyTimeout
	}
	actx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var ok bool
	err := t.C.Await(actx, "new Promise(r => setImmediate(() => r(true)))", &ok)
	var te *inspector.TimeoutError
	switch {
	case err == nil:
		t.setBusy(false)
	case errors.As(err, &te):
		t.setBusy(true)
	default:
		return false, fmt.Errorf("check whether the event loop turns: %w", err)
	}
	t.checked = true
	return t.busy, nil
}

func (t *Target) setBusy(b bool) {
	if b && !t.busy {
		how := "snapshots through HeapProfiler"
		if t.Local {
			how = "snapshots through v8.writeHeapSnapshot into a FIFO"
		}
		t.logf("the main thread does not yield to the event loop; collecting with gc() through Runtime.evaluate, %s", how)
	}
	if !b && t.busy && t.checked {
		t.logf("the main thread yields again; back to HeapProfiler.collectGarbage")
	}
	t.busy = b
}

func (t *Target) enableHeapProfiler(ctx context.Context) error {
	if t.heapOn {
		return nil
	}
	if err := t.call(ctx, inspector.MethodHeapEnable, nil, nil); err != nil {
		return err
	}
	t.heapOn = true
	// Tracking started here (an attached process; a launched one tracks
	// from its start) ends with HeapProfiler.disable when the session
	// ends; stopTrackingHeapObjects would take a snapshot.
	if t.TrackAllocations {
		if err := t.call(ctx, inspector.MethodStartTracking, inspector.StartTrackingParams{TrackAllocations: true}, nil); err != nil {
			return fmt.Errorf("start allocation tracking: %w", err)
		}
	}
	return nil
}

// gcExpression forces a full collection from Runtime.evaluate: the
// program's gc() when it was started with --expose-gc, else one obtained by
// turning the flag on and fetching gc from a fresh context (kept under a
// registered symbol so that it is made once).
const gcExpression = `(() => {
  let g = typeof gc === 'function' ? gc : globalThis[Symbol.for('heapscope.gc')];
  if (typeof g !== 'function') {
    require('v8').setFlagsFromString('--expose-gc');
    g = require('vm').runInNewContext('gc');
    Object.defineProperty(globalThis, Symbol.for('heapscope.gc'), { value: g, configurable: true });
  }
  g();
  return true;
})()`

// GC forces a full garbage collection: HeapProfiler.collectGarbage while the
// event loop turns, gc() through Runtime.evaluate when it does not (a
// collectGarbage that times out marks the main thread busy).
func (t *Target) GC(ctx context.Context) error {
	if !t.checked {
		if _, err := t.DetectBusy(ctx); err != nil {
			return err
		}
	}
	if !t.busy {
		if err := t.enableHeapProfiler(ctx); err != nil {
			return err
		}
		err := t.call(ctx, inspector.MethodCollectGarbage, nil, nil)
		var te *inspector.TimeoutError
		if !errors.As(err, &te) {
			return err
		}
		t.setBusy(true)
	}
	var ok bool
	if err := t.evaluate(ctx, gcExpression, &ok); err != nil {
		return fmt.Errorf("force a collection with gc(): %w", err)
	}
	return nil
}

// Usage returns the target's heap usage (it answers even while busy).
func (t *Target) Usage(ctx context.Context) (inspector.HeapUsage, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout())
	defer cancel()
	return t.C.HeapUsage(ctx)
}

// Close removes the FIFO directory; it does not end the session.
func (t *Target) Close() {
	if t.fifoDir != "" {
		os.RemoveAll(t.fifoDir)
		t.fifoDir = ""
	}
}

// processUID returns the real uid of a process on this machine.
func processUID(pid int) (int, bool) {
	if pid <= 0 {
		return 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if uid, err := strconv.Atoi(f[0]); err == nil {
					return uid, true
				}
			}
		}
	}
	return 0, false
}
