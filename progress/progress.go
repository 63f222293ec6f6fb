// Package progress reports long-running work on standard error when it is a
// terminal: a byte counter while a snapshot is read, then one line per
// analysis phase. It is silent when standard error is not a terminal, and it
// never writes to standard output.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Reporter shows progress for one job. The zero value and nil are silent.
type Reporter struct {
	w          io.Writer
	mu         sync.Mutex
	bar        *progressbar.ProgressBar
	start      time.Time
	phase      string
	phaseStart time.Time
}

// New returns a Reporter that writes to stderr if it is a terminal, else a
// silent one.
func New() *Reporter {
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	return &Reporter{w: os.Stderr, start: time.Now()}
}

// Reading starts a byte counter for reading what (size -1 if unknown).
func (r *Reporter) Reading(what string, size int64) func(n int64) {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
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

// Phase reports that a new phase of the analysis has started.
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
	fmt.Fprintf(r.w, "\r\033[K%s…", name)
}

func (r *Reporter) endPhase() {
	if r.phase != "" {
		fmt.Fprintf(r.w, "\r\033[K")
	}
}

// Done clears the progress line.
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
