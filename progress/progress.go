// Package progress reports long-running work on standard error when it is a
// terminal: a byte counter while a snapshot is read, then one line per
// analysis phase. It is silent when standard error is not a terminal, and it
// never writes to standard output.
//
// With HEAPSCOPE_TIMINGS=1 it instead logs, on standard error and whether or
// not it is a terminal, one line per finished phase with its wall time and
// the Go heap in use, and (on Linux) the process's resident and peak
// resident memory: the numbers behind docs/performance.md.
package progress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Reporter shows progress for one job. Nil is silent.
type Reporter struct {
	w          io.Writer
	mu         sync.Mutex
	bar        *progressbar.ProgressBar
	phase      string
	phaseStart time.Time
	timings    bool
}

// New returns a Reporter that writes to stderr if it is a terminal (or
// timings are asked for), else a silent one.
func New() *Reporter {
	if os.Getenv("HEAPSCOPE_TIMINGS") == "1" {
		return &Reporter{w: os.Stderr, timings: true}
	}
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	return &Reporter{w: os.Stderr}
}

// Reading starts a byte counter for reading what (size -1 if unknown).
func (r *Reporter) Reading(what string, size int64) func(n int64) {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timings {
		r.endPhase()
		r.phase, r.phaseStart = "reading "+what, time.Now()
		return nil
	}
	r.bar = progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(r.w),
		progressbar.OptionSetDescription("reading "+what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	bar := r.bar
	return func(n int64) { _ = bar.Set64(n) }
}

// Phase reports that a new phase of the work has started.
func (r *Reporter) Phase(name string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		_ = r.bar.Finish()
		r.bar = nil
	}
	r.endPhase()
	r.phase, r.phaseStart = name, time.Now()
	if !r.timings {
		fmt.Fprintf(r.w, "\r\033[K%s…", name)
	}
}

// endPhase closes the current phase: a timing line, or clearing the
// terminal line.
func (r *Reporter) endPhase() {
	if r.phase == "" {
		return
	}
	if r.timings {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(r.w, "heapscope: %-32s %7.3f s  Go heap %5d MiB%s\n", r.phase, time.Since(r.phaseStart).Seconds(), m.HeapAlloc>>20, residentSet())
		return
	}
	fmt.Fprintf(r.w, "\r\033[K")
}

// residentSet returns ", RSS N MiB, peak M MiB" from /proc/self/status
// (VmRSS, VmHWM), or "" where there is no such file.
func residentSet() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	field := func(name string) int64 {
		i := bytes.Index(status, []byte("\n"+name+":"))
		if i < 0 {
			return -1
		}
		f := bytes.Fields(status[i+len(name)+2:])
		if len(f) == 0 {
			return -1
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return -1
		}
		return kb >> 10
	}
	rss, hwm := field("VmRSS"), field("VmHWM")
	if rss < 0 || hwm < 0 {
		return ""
	}
	return fmt.Sprintf(", RSS %5d MiB, peak %5d MiB", rss, hwm)
}

// Done ends the last phase.
func (r *Reporter) Done() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		_ = r.bar.Finish()
		r.bar = nil
	}
	r.endPhase()
	r.phase = ""
}
