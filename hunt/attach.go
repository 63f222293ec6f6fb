package hunt

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/heapscope/heapscope/inspector"
)

// DefaultInspectorAddr is where Node.js opens its inspector on SIGUSR1
// unless told otherwise.
const DefaultInspectorAddr = "127.0.0.1:9229"

// AttachOptions controls Attach.
type AttachOptions struct {
	SessionOptions
	// Timeout bounds finding and connecting to the inspector.
	Timeout time.Duration
	// Force sends SIGUSR1 to a PID whose program does not look like
	// Node.js (a renamed binary): without it, only node, nodejs and
	// Electron programs are signalled.
	Force bool
}

var pidPattern = regexp.MustCompile(`^[1-9][0-9]*$`)

// Attach connects to a running Node.js process named by what: a PID (its
// inspector is opened with SIGUSR1 if it is closed, on the port its command
// line names or 127.0.0.1:9229), host:port of an open inspector, or the
// WebSocket URL of one. A PID's inspector must be on a loopback address; a
// host:port or URL is taken as given (the user named it). Closing the
// session leaves the process as found, and running.
func Attach(ctx context.Context, what string, o AttachOptions) (*Session, error) {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	s, err := attach(ctx, what, o)
	if err != nil {
		return nil, err
	}
	s.logf("attached to process %d (%s)", s.Target.PID, s.Addr)
	return s, nil
}

func attach(ctx context.Context, what string, o AttachOptions) (*Session, error) {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			o.Log(format, args...)
		}
	}
	switch {
	case pidPattern.MatchString(what):
		pid, err := strconv.Atoi(what)
		if err != nil {
			return nil, fmt.Errorf("pid %s: %w", what, err)
		}
		return attachPID(ctx, pid, o, logf)
	case strings.HasPrefix(what, "ws://") || strings.HasPrefix(what, "wss://"):
		u, err := url.Parse(what)
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", what, err)
		}
		return connect(ctx, what, u.Host, 0, false, o)
	default:
		host, port, err := net.SplitHostPort(what)
		if err != nil || port == "" {
			return nil, fmt.Errorf("attach %q: give a PID, host:port or ws:// URL", what)
		}
		addr := net.JoinHostPort(host, port)
		fctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		// FindTarget waits for an inspector that is opening (a process sent
		// SIGUSR1); at an address the user gave, a refused connection
		// means none is coming: say so at once.
		if _, err := inspector.List(fctx, addr); errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("no Node.js inspector at %s: connection refused (start node with --inspect=%s, or attach by PID)", addr, addr)
		}
		ws, err := inspector.FindTarget(fctx, addr)
		if err != nil {
			return nil, fmt.Errorf("no Node.js inspector at %s: %w", addr, err)
		}
		return connect(ctx, ws, addr, 0, false, o)
	}
}

// connect opens the session and checks the pid when one is expected.
func connect(ctx context.Context, ws, addr string, wantPID int, opened bool, o AttachOptions) (*Session, error) {
	cctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	c, err := inspector.Dial(cctx, ws)
	if err != nil {
		return nil, err
	}
	if o.CallTimeout > 0 {
		c.Timeout = o.CallTimeout
	}
	host, _, _ := net.SplitHostPort(addr)
	t, err := NewTarget(ctx, c, inspector.IsLoopback(ctx, host))
	if err != nil {
		c.Close()
		return nil, err
	}
	o.SessionOptions.configure(c, t)
	if wantPID != 0 && t.PID != wantPID {
		c.Close()
		return nil, fmt.Errorf("the inspector at %s belongs to process %d, not %d: port taken", addr, t.PID, wantPID)
	}
	return &Session{Target: t, Addr: addr, Opened: opened, client: c, log: o.Log, attached: true}, nil
}

func attachPID(ctx context.Context, pid int, o AttachOptions, logf func(string, ...any)) (*Session, error) {
	if err := checkProcess(pid); err != nil {
		return nil, err
	}
	addr := inspectorAddr(pid)
	host, port, _ := net.SplitHostPort(addr)
	if port == "0" {
		return nil, fmt.Errorf("process %d opens its inspector on a random port (%s): open it yourself (kill -USR1 %d shows the URL on its stderr) and attach to host:port", pid, addr, pid)
	}
	if !inspector.IsLoopback(ctx, host) {
		return nil, fmt.Errorf("process %d would open its inspector on %s, not a loopback address; open it yourself and attach to host:port", pid, addr)
	}
	// Already open (by us earlier, by DevTools, or --inspect)?
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	ws, err := inspector.FindTarget(pctx, addr)
	cancel()
	if err == nil {
		a, err := connect(ctx, ws, addr, pid, false, o)
		if err != nil {
			return nil, fmt.Errorf("process %d cannot open its inspector on %s: %w", pid, addr, err)
		}
		logf("process %d's inspector is already open on %s; it stays open afterwards", pid, addr)
		return a, nil
	}
	if c, derr := net.DialTimeout("tcp", addr, time.Second); derr == nil {
		c.Close()
		return nil, fmt.Errorf("process %d cannot open its inspector on %s: port taken by something that is not a Node.js inspector", pid, addr)
	}
	if !o.Force {
		if prog, ok := nodeProgram(pid); !ok {
			return nil, fmt.Errorf("process %d runs %s, not Node.js: heapscope sends SIGUSR1 only to Node.js (--force if it is Node.js under another name)", pid, prog)
		}
	}
	caught, err := handlesSIGUSR1(pid)
	if err != nil {
		return nil, err
	}
	if !caught {
		return nil, fmt.Errorf("process %d does not handle SIGUSR1 (not Node.js, or started with --disable-sigusr1): heapscope will not send it a signal that would end it", pid)
	}
	logf("sending SIGUSR1 to process %d to open its inspector on %s", pid, addr)
	if err := signalUSR1(pid); err != nil {
		return nil, fmt.Errorf("signal process %d: %w", pid, err)
	}
	fctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	ws, err = inspector.FindTarget(fctx, addr)
	if err != nil {
		return nil, fmt.Errorf("process %d did not open its inspector on %s within %s (port taken? its stderr says why): %w", pid, addr, o.Timeout, err)
	}
	return connect(ctx, ws, addr, pid, true, o)
}

// detach ends an attached session, leaving the process as found: the heap
// profiler off and, when heapscope opened the inspector, the inspector
// closed (process._debugEnd). It never stops the process.
func (s *Session) detach(ctx context.Context) error {
	defer s.Target.Close()
	defer s.client.Close()
	select {
	case <-s.client.Done():
		return nil // the process or the connection is gone already
	default:
	}
	if s.Target.heapOn {
		_ = s.Target.call(ctx, inspector.MethodHeapDisable, nil, nil)
	}
	if !s.Opened {
		return nil
	}
	// _debugEnd closes the inspector, and this session with it: the
	// answer may never come, which is fine.
	ectx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	err := s.client.Evaluate(ectx, "process._debugEnd(), true", nil)
	if err != nil && !errors.Is(err, inspector.ErrClosed) {
		var te *inspector.TimeoutError
		if !errors.As(err, &te) {
			return fmt.Errorf("close the inspector of process %d: %w", s.Target.PID, err)
		}
	}
	// Confirm the port is closed.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond)
		if err != nil {
			return nil
		}
		c.Close()
	}
	return fmt.Errorf("the inspector of process %d is still open on %s", s.Target.PID, s.Addr)
}

// inspectorAddr finds where process pid opens its inspector: the last
// --inspect*/--inspect-port flag of its NODE_OPTIONS or command line, else
// 127.0.0.1:9229.
func inspectorAddr(pid int) string {
	var nodeOptions string
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid)); err == nil {
		for _, kv := range strings.Split(string(b), "\x00") {
			if v, ok := strings.CutPrefix(kv, "NODE_OPTIONS="); ok {
				nodeOptions = v
			}
		}
	}
	var argv []string
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		argv = strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	}
	return inspectorAddrFrom(argv, nodeOptions)
}

// inspectorAddrFrom is inspectorAddr for a command line (argv[0] the
// binary) and a NODE_OPTIONS value; the command line wins.
func inspectorAddrFrom(argv []string, nodeOptions string) string {
	flags := strings.Fields(nodeOptions)
	if len(argv) > 1 {
		flags = append(flags, nodeFlags(argv[1:])...)
	}
	host, port := "127.0.0.1", "9229"
	for _, f := range flags {
		name, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch name {
		case "--inspect", "--inspect-brk", "--inspect-wait", "--inspect-port", "--debug-port":
			if h, p, err := net.SplitHostPort(val); err == nil {
				host, port = h, p
			} else if _, err := strconv.Atoi(val); err == nil {
				port = val
			} else {
				host = val
			}
		}
	}
	return net.JoinHostPort(host, port)
}

// nodeProgram reads which program process pid runs (its executable, else
// its command's first word) and whether that is Node.js: a daemon that
// catches SIGUSR1 to reopen its logs, or a shell, must never get it.
func nodeProgram(pid int) (string, bool) {
	prog, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil { // another user's process: its command line is readable
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || len(b) == 0 {
			return "an unknown program", false
		}
		prog, _, _ = strings.Cut(string(b), "\x00")
	}
	prog = strings.TrimSuffix(prog, " (deleted)")
	base := strings.ToLower(filepath.Base(prog))
	switch {
	case base == "node", base == "nodejs", strings.HasPrefix(base, "node-"), strings.HasPrefix(base, "node2"), strings.HasPrefix(base, "node1"),
		base == "electron", strings.HasSuffix(base, "-electron"):
		return prog, true
	}
	return prog, false
}

// handlesSIGUSR1 reads whether process pid catches SIGUSR1 (Node.js does,
// to open its inspector); the default action would end the process.
func handlesSIGUSR1(pid int) (bool, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false, fmt.Errorf("process %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "SigCgt:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(rest), 16, 64)
			if err != nil {
				return false, fmt.Errorf("process %d: bad SigCgt %q", pid, rest)
			}
			return mask&(1<<(uint(sigUSR1)-1)) != 0, nil
		}
	}
	return false, fmt.Errorf("process %d: no SigCgt in /proc/%d/status", pid, pid)
}
