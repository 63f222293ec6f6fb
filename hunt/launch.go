package hunt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heapscope/heapscope/inspector"
	"github.com/heapscope/heapscope/internal/panicerr"
)

// startOptions controls startProgram.
type startOptions struct {
	// Args is the command: Args[0] is the node binary, the rest its
	// arguments (node flags, the script, the script's arguments).
	Args []string
	// ExposeGC adds --expose-gc (the program calls global.gc()).
	ExposeGC bool
	// TrackAllocations adds --track-heap-objects: allocation stacks from
	// the program's first line.
	TrackAllocations bool
	// Stdout and Stderr receive the program's output (Node's own messages
	// about the inspector are left out of Stderr). Nil discards.
	Stdout, Stderr io.Writer
	// Timeout bounds the wait for the inspector's announcement.
	Timeout time.Duration
}

// program is a Node.js process started under the inspector.
type program struct {
	// WSURL is the inspector's WebSocket URL.
	WSURL string

	cmd        *exec.Cmd
	exited     chan struct{}
	finishing  chan struct{}
	finishOnce sync.Once
	waitErr    error
	stderrDone chan struct{}
	// crash is a panic in reading the program's stderr, as an error; the
	// program is killed and ExitError reports it.
	crash atomic.Pointer[panicerr.Error]
	tail  *tail
	argv0 string
}

// settleDelay is how long startProgram waits after the inspector's announcement.
const settleDelay = 300 * time.Millisecond

// tailLines is how many of the program's last stderr lines an error shows.
const tailLines = 5

// inspectFlag matches node flags that open the inspector or choose its port.
var inspectFlag = regexp.MustCompile(`^--(inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(=|$)`)

// startProgram runs the program with --inspect=127.0.0.1:0 (a free loopback port),
// passes its output through and waits for the inspector's WebSocket URL. It
// fails with the program's exit code and last stderr lines if the program
// ends first, and with a clear message if node cannot be found.
func startProgram(ctx context.Context, o startOptions) (*program, error) {
	if len(o.Args) == 0 {
		return nil, errors.New("no program to run: give it after --, e.g. heapscope run -- node app.js")
	}
	for _, a := range nodeFlags(o.Args[1:]) {
		if inspectFlag.MatchString(a) {
			return nil, fmt.Errorf("remove %s from the command: heapscope opens the inspector itself (on a free loopback port)", a)
		}
	}
	bin, err := exec.LookPath(o.Args[0])
	if err != nil {
		return nil, fmt.Errorf("%s not found: %w (install Node.js or give its path)", o.Args[0], err)
	}
	args := []string{"--inspect=127.0.0.1:0"}
	if o.ExposeGC && !contains(nodeFlags(o.Args[1:]), "--expose-gc") {
		args = append(args, "--expose-gc")
	}
	if o.TrackAllocations && !contains(nodeFlags(o.Args[1:]), "--track-heap-objects") {
		args = append(args, "--track-heap-objects")
	}
	args = append(args, o.Args[1:]...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout = o.Stdout
	if cmd.Stdout == nil {
		cmd.Stdout = io.Discard
	}
	// Its own process group, so that stopping it reaches its children; and
	// a signal when heapscope dies, so that it never outlives the hunt.
	cmd.SysProcAttr = programAttr()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", o.Args[0], err)
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("start %s: %w", o.Args[0], err)
	}
	pw.Close()
	p := &program{cmd: cmd, exited: make(chan struct{}), finishing: make(chan struct{}), stderrDone: make(chan struct{}), tail: &tail{max: tailLines}, argv0: filepath.Base(o.Args[0])}
	urls := make(chan string, 1)
	go func() {
		err := panicerr.Call("hunt: reading the program's stderr", func() error { p.readStderr(pr, o.Stderr, urls); return nil })
		if pe, ok := err.(*panicerr.Error); ok {
			p.crash.Store(pe)
			cmd.Process.Kill()
		}
	}()
	go func() {
		p.waitErr = panicerr.Call("hunt: waiting for the program", cmd.Wait)
		close(p.exited)
	}()

	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case u := <-urls:
		p.WSURL = u
		// Let Node.js finish bootstrapping before anyone connects: a
		// session opened in its first few tens of milliseconds can leave
		// the inspector deaf for good when the program then runs a loop
		// that never yields (seen with Node.js 20.3.1, 1 start in 10;
		// never with 50 ms or more of delay, in 90 starts).
		select {
		case <-time.After(settleDelay):
		case <-p.exited:
		}
		return p, nil
	case <-p.exited:
		return nil, p.ExitError()
	case <-timer.C:
		p.Stop(2 * time.Second)
		return nil, fmt.Errorf("%s did not open its inspector within %s (is it Node.js?)%s", o.Args[0], timeout, p.tail.suffix())
	case <-ctx.Done():
		p.Stop(2 * time.Second)
		return nil, ctx.Err()
	}
}

// nodeFlags returns the arguments before the script (node's own flags).
func nodeFlags(args []string) []string {
	k := 0
	for k < len(args) {
		a := args[k]
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			break
		}
		if takesValue(a) {
			k += 2
			continue
		}
		k++
	}
	return args[:min(k, len(args))]
}

// takesValue reports node flags whose value is the next argument.
func takesValue(a string) bool {
	switch a {
	case "-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "-e", "--eval", "-p", "--print", "--env-file", "--input-type", "--title":
		return true
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// callsGC matches code that calls the exposed gc().
var callsGC = regexp.MustCompile(`\b(?:global|globalThis)\s*\.\s*gc\b|(?:^|[^.\w$])gc\s*\(\s*\)`)

// NeedsExposeGC reports whether the program named by args (node's
// arguments, without the binary) calls global.gc(), reading its main script
// or its -e code. It errs on the side of no.
func NeedsExposeGC(args []string) bool {
	for k := 0; k < len(args); k++ {
		a := args[k]
		if (a == "-e" || a == "--eval" || a == "-p" || a == "--print") && k+1 < len(args) {
			return callsGC.MatchString(args[k+1])
		}
		if strings.HasPrefix(a, "-") {
			if takesValue(a) {
				k++
			}
			continue
		}
		f, err := os.Open(a)
		if err != nil {
			return false
		}
		defer f.Close()
		b, _ := io.ReadAll(io.LimitReader(f, 4<<20))
		return callsGC.Match(b)
	}
	return false
}

// readStderr passes the program's stderr through, line by line, without
// Node's inspector messages, keeping the last lines for error messages and
// sending the inspector URL when it appears.
func (p *program) readStderr(r io.ReadCloser, w io.Writer, urls chan<- string) {
	defer close(p.stderrDone)
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	sent := false
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			full := errors.Is(err, bufio.ErrBufferFull)
			s := string(line)
			if !sent {
				if u, ok := inspector.ListeningURL(s); ok {
					urls <- u
					sent = true
				}
			}
			if strings.HasPrefix(s, waitingForDisconnect) {
				p.finishOnce.Do(func() { close(p.finishing) })
			}
			if full || !inspector.IsNodeInspectorNoise(s) {
				if w != nil {
					w.Write(line)
				}
				p.tail.add(s)
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// waitingForDisconnect is what Node.js prints when its program has ended
// but an inspector session keeps the process alive until it disconnects.
const waitingForDisconnect = "Waiting for the debugger to disconnect"

// Finishing is closed when the program has run out of work and Node.js
// waits for the inspector session to disconnect before it exits: close the
// session, then the program exits.
func (p *program) Finishing() <-chan struct{} { return p.finishing }

// PID is the program's process id.
func (p *program) PID() int { return p.cmd.Process.Pid }

// Exited is closed when the program has ended.
func (p *program) Exited() <-chan struct{} { return p.exited }

// ExitError describes how the program ended (its exit code or signal and
// its last stderr lines); nil while it runs.
func (p *program) ExitError() error {
	select {
	case <-p.exited:
	default:
		return nil
	}
	// Let the last stderr lines arrive.
	select {
	case <-p.stderrDone:
	case <-time.After(time.Second):
	}
	if pe := p.crash.Load(); pe != nil {
		return pe
	}
	how := "ended"
	if st := p.cmd.ProcessState; st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			how = fmt.Sprintf("was killed by signal %d (%s)", int(ws.Signal()), ws.Signal())
		} else {
			how = fmt.Sprintf("exited with code %d", st.ExitCode())
		}
	} else if p.waitErr != nil {
		how = "ended: " + p.waitErr.Error()
	}
	return fmt.Errorf("the program (%s) %s%s", p.argv0, how, p.tail.suffix())
}

// Stop ends the program: SIGTERM to its process group, then SIGKILL after
// grace. It returns once the program has exited.
func (p *program) Stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	signalGroup(pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		signalGroup(pgid, syscall.SIGKILL)
		<-p.exited
	}
	// Children that ignored SIGTERM go too.
	signalGroup(pgid, syscall.SIGKILL)
}

// tail keeps the last lines written.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (t *tail) add(s string) {
	s = strings.TrimRight(s, "\r\n")
	if strings.TrimSpace(s) == "" {
		return
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, s)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// suffix is "; last stderr lines: a | b" or "".
func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return ""
	}
	var b bytes.Buffer
	b.WriteString("; last stderr lines: ")
	for k, l := range t.lines {
		if k > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(strings.TrimSpace(l))
	}
	return b.String()
}
