package hunt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/heapscope/heapscope/inspector"
	"github.com/heapscope/heapscope/internal/panicerr"
)

// SessionOptions are how a session talks to its process.
type SessionOptions struct {
	// CallTimeout bounds each inspector call; IdleTimeout is how long a
	// snapshot may go without progress (Target's defaults if 0).
	CallTimeout, IdleTimeout time.Duration
	// Via chooses how snapshots travel (Target.Via; ViaAuto if empty).
	Via string
	// Log, if set, receives one-line status messages.
	Log func(format string, args ...any)
	// TrackAllocations records where every object is allocated (V8's
	// allocation tracking: node --track-heap-objects for a launched
	// program, HeapProfiler.startTrackingHeapObjects for an attached one),
	// so that each finding carries its representative's allocation stack
	// and the program's own frame there is its fix site. It slows
	// allocation down and costs memory in the target (docs/design.md).
	TrackAllocations bool
}

// configure applies the options to a new session's client and target.
func (o SessionOptions) configure(c *inspector.Client, t *Target) {
	if o.CallTimeout > 0 {
		c.Timeout = o.CallTimeout
		t.CallTimeout = o.CallTimeout
	}
	if o.IdleTimeout > 0 {
		t.IdleTimeout = o.IdleTimeout
	}
	t.Via = o.Via
	t.Log = o.Log
	t.TrackAllocations = o.TrackAllocations
}

// LaunchOptions controls Launch.
type LaunchOptions struct {
	SessionOptions
	// Args is the command: Args[0] is the node binary, the rest its
	// arguments (node flags, the script, the script's arguments). With a
	// Scenario, node and its flags only.
	Args []string
	// Scenario, if set, is a module exporting setup, action and optional
	// cleanup, run in heapscope's harness: the hunt is then in iteration
	// mode, one unit of work one call of the action.
	Scenario string
	// ActionTimeout bounds one call of the scenario's setup, action or
	// cleanup (DefaultActionTimeout if 0).
	ActionTimeout time.Duration
	// ExposeGC adds --expose-gc (the program calls global.gc()).
	ExposeGC bool
	// Stdout and Stderr receive the program's output (Node's own messages
	// about the inspector are left out of Stderr). Nil discards.
	Stdout, Stderr io.Writer
	// StartTimeout bounds each step of the start: the inspector's
	// announcement, the session, the scenario's loading, the first answer
	// of Options.Drive's URL (10 s if 0).
	StartTimeout time.Duration
}

// stopGrace is how long a launched program has to exit after SIGTERM.
const stopGrace = 5 * time.Second

// Session is an inspector session with one Node.js process: a program
// Launch started, or a process Attach found running. Hunt runs the hunt
// and ends the session; Close ends it without a hunt.
type Session struct {
	// Target is the process. It is nil when a launched program ended, or
	// its session failed, before the session opened: Hunt reports why.
	Target *Target
	// Addr is the inspector's host:port (Attach).
	Addr string
	// Opened is true when Attach opened the inspector (SIGUSR1) and Close
	// closes it again.
	Opened bool

	client       *inspector.Client
	log          func(format string, args ...any)
	prog         *program  // Launch
	scenario     *scenario // Launch with a scenario
	startTimeout time.Duration
	attached     bool
	// openErr is why a launched program's session could not open.
	openErr error
	// exited, if set, is closed when the process ends; howExited says how.
	exited    <-chan struct{}
	howExited func() error
	closed    bool
	closeErr  error
}

// Launch starts a Node.js program under the inspector (a free loopback
// port), passes its output through, opens a session with it and, with a
// Scenario, loads the scenario and calls its setup. It fails when the
// program cannot be started (node not found, an inspector flag in the
// command, no inspector announced); once the program runs, a failure to
// open the session is Hunt's error, reported with the hunt's (empty)
// measurements. The program is stopped when the session ends.
func Launch(ctx context.Context, o LaunchOptions) (*Session, error) {
	args := o.Args
	if o.Scenario != "" {
		if len(args) == 0 {
			args = []string{"node"}
		}
		var err error
		if args, err = scenarioArgs(args[0], args[1:], o.Scenario); err != nil {
			return nil, err
		}
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	p, err := startProgram(ctx, startOptions{Args: args, ExposeGC: o.ExposeGC, TrackAllocations: o.TrackAllocations, Stdout: o.Stdout, Stderr: o.Stderr, Timeout: o.StartTimeout})
	if err != nil {
		return nil, err
	}
	s := &Session{prog: p, log: o.Log, startTimeout: o.StartTimeout}
	s.openErr = s.open(ctx, o)
	return s, nil
}

// open connects to the program Launch started.
func (s *Session) open(ctx context.Context, o LaunchOptions) error {
	dctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	c, err := inspector.Dial(dctx, s.prog.WSURL)
	cancel()
	if err != nil {
		return s.startErr(err)
	}
	s.client = c
	if o.CallTimeout > 0 {
		c.Timeout = o.CallTimeout
	}
	t, err := NewTarget(ctx, c, true)
	if err != nil {
		return s.startErr(err)
	}
	o.SessionOptions.configure(c, t)
	s.Target = t
	s.exited, s.howExited = programEnd(s.prog, c)
	if o.Scenario == "" {
		return nil
	}
	sc := &scenario{T: t, ActionTimeout: o.ActionTimeout}
	if err := sc.ready(ctx, o.StartTimeout); err != nil {
		return s.startErr(err)
	}
	if err := sc.setup(ctx); err != nil {
		return s.startErr(err)
	}
	s.scenario = sc
	return nil
}

func (s *Session) logf(format string, args ...any) {
	if s.log != nil {
		s.log(format, args...)
	}
}

// Hunt samples the heap, decides whether it grows and takes the snapshots
// (Options), calls a scenario's cleanup, ends the session (Close), and
// only then computes the verdict, so that the target does not compete
// with the analysis. It returns what was measured even when it fails.
func (s *Session) Hunt(ctx context.Context, o Options) (*Result, error) {
	h := newHunter(s.Target, o, s.log)
	h.exited, h.howExited = s.exited, s.howExited
	err := s.openErr
	if err == nil {
		err = s.prepare(ctx, h)
	}
	if err == nil {
		err = h.run(ctx)
		if err == nil && s.scenario != nil {
			if cerr := s.scenario.cleanup(ctx); cerr != nil {
				s.logf("%v", cerr)
			}
		}
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("interrupted: %w", err)
	}
	if cerr := s.Close(); cerr != nil {
		s.logf("%v", cerr)
	}
	return h.r, h.verdict(err)
}

// prepare chooses what drives the hunt: the scenario, or HTTP requests to
// Options.Drive once it answers.
func (s *Session) prepare(ctx context.Context, h *hunter) error {
	switch {
	case s.scenario != nil && h.o.Drive != "":
		return errors.New("a scenario and Drive do not go together")
	case s.scenario != nil:
		h.driver = s.scenario
	case h.o.Drive != "":
		d, err := NewHTTPDriver(ctx, h.o.Drive, h.o.Concurrency)
		if err != nil {
			return err
		}
		if s.prog != nil {
			if err := d.WaitReady(ctx, s.startTimeout, s.prog.Exited()); err != nil {
				return s.startErr(err)
			}
		}
		h.driver = d
	}
	return nil
}

// Close ends the session, as fits how it began: a launched program is
// stopped (SIGTERM to its process group, SIGKILL after 5 s); an attached
// process is left as found, with a fresh bounded context even when the
// hunt was interrupted (Detach). Later calls return the first's result.
func (s *Session) Close() error {
	if s.closed {
		return s.closeErr
	}
	s.closed = true
	switch {
	case s.attached:
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.detach(dctx); err != nil {
			s.closeErr = fmt.Errorf("detach: %w", err)
		} else if s.Opened {
			s.logf("detached; process %d's inspector is closed again", s.Target.PID)
		} else {
			s.logf("detached from process %d", s.Target.PID)
		}
	default:
		if s.Target != nil {
			s.Target.Close()
		}
		if s.client != nil {
			s.client.Close()
		}
		if s.prog != nil {
			s.prog.Stop(stopGrace)
		}
	}
	return s.closeErr
}

// programEnd is closed when the program exits or has run out of work; in
// the second case Node.js waits for the inspector session to disconnect, so
// the session is closed and the exit awaited. exitErr describes the end.
func programEnd(prog *program, c *inspector.Client) (end <-chan struct{}, exitErr func() error) {
	done := make(chan struct{})
	var crash error
	go func() {
		crash = panicerr.Call("hunt: watching the program", func() error {
			select {
			case <-prog.Exited():
			case <-prog.Finishing():
				c.Close()
			}
			return nil
		})
		close(done)
	}()
	return done, func() error {
		select {
		case <-done:
			if crash != nil {
				return crash
			}
		default:
		}
		select {
		case <-prog.Exited():
		case <-time.After(5 * time.Second):
		}
		if err := prog.ExitError(); err != nil {
			return err
		}
		return errors.New("the program has ended")
	}
}

// startErr prefers the program's own end to the error it caused. A program
// that ended while a session is open waits for it to disconnect ("Waiting
// for the debugger to disconnect"): the session is closed, then the exit
// awaited.
func (s *Session) startErr(err error) error {
	prog := s.prog
	select {
	case <-prog.Exited():
	case <-prog.Finishing():
		if s.client != nil {
			s.client.Close()
		}
		select {
		case <-prog.Exited():
		case <-time.After(5 * time.Second):
		}
	case <-time.After(time.Second):
		return err
	}
	if ee := prog.ExitError(); ee != nil {
		return ee
	}
	return err
}
