// Package load reads heap snapshots and analyses them: the one layer between
// a front end (the CLI, the web UI, a live hunt) and the analyses. It owns
// the sources (a file, "-" for stdin, a saved hunt's directory, the
// embedded demo series), progress
// reporting, and the speed plumbing the analyses' public APIs leave out:
// the Summary computed while the dominator tree is built, the graph
// dropped before the Summary is complete, several snapshots loaded two at
// a time, and a leak series loaded last snapshot first.
package load

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/heapscope/heapscope/demo"
	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/huntdir"
	"github.com/heapscope/heapscope/internal/overlap"
	"github.com/heapscope/heapscope/internal/panicerr"
	"github.com/heapscope/heapscope/leak"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/report"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

// Source is a snapshot to load.
type Source struct {
	// Name labels the snapshot in reports: the path, or "embedded:NAME".
	Name     string
	path     string // a file, "-" for stdin
	embedded string // a demo snapshot
}

// File is the snapshot file at path ("-" for stdin), gzip or plain.
func File(path string) Source { return Source{Name: path, path: path} }

// Files is File of each path.
func Files(paths []string) []Source {
	srcs := make([]Source, len(paths))
	for k, p := range paths {
		srcs[k] = File(p)
	}
	return srcs
}

// Args is the sources command-line arguments name: a snapshot file (or
// "-" for stdin) each, except a directory saved by "heapscope run --save
// DIR" (package huntdir), which stands for its snapshots in the order they
// were taken and brings the hunt's heap samples and snapshot times (none
// when none).
func Args(args []string) ([]Source, report.HeapCurve, error) {
	files, curve, err := huntdir.Expand(args)
	if err != nil {
		return nil, report.HeapCurve{}, &InputError{err}
	}
	return Files(files), curve, nil
}

// Demo is the embedded demo series (package demo), oldest first.
func Demo() []Source {
	var srcs []Source
	for _, name := range demo.Series {
		srcs = append(srcs, Source{Name: "embedded:" + name, embedded: name})
	}
	return srcs
}

// Options controls loading.
type Options struct {
	// Progress, if set, shows reading and analysis progress.
	Progress *progress.Reporter
}

// InputError is an error caused by the input: a file that cannot be read,
// or is not a heap snapshot, or snapshots that do not form a series.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is (or wraps) an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// read reads src's snapshot.
func read(src Source, rep *progress.Reporter) (*snapshot.Snapshot, error) {
	if src.embedded != "" {
		f, err := demo.Open(src.embedded)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		s, err := snapshot.Read(f, snapshot.Options{Progress: rep.Reading(src.embedded, -1)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.embedded, err)
		}
		return s, nil
	}
	path := src.path
	var size int64 = -1
	if path != "-" {
		st, err := os.Stat(path)
		if err != nil {
			return nil, &InputError{err}
		}
		if st.IsDir() {
			return nil, &InputError{fmt.Errorf("%s: is a directory", path)}
		}
		size = st.Size()
	}
	s, err := snapshot.ReadFile(path, snapshot.Options{Progress: rep.Reading(path, size)})
	if err != nil {
		return nil, &InputError{fmt.Errorf("%s: %w", path, err)}
	}
	return s, nil
}

// analyse reads and analyses src with opt (Phase is set here).
func analyse(src Source, rep *progress.Reporter, opt graph.Options) (*graph.Graph, error) {
	s, err := read(src, rep)
	if err != nil {
		return nil, err
	}
	opt.Phase = rep.Phase
	return graph.Analyze(s, opt), nil
}

// Graph reads and analyses one snapshot.
func Graph(src Source, opt Options) (*graph.Graph, error) {
	return analyse(src, opt.Progress, graph.Options{})
}

// Graphs reads and analyses several snapshots, two at a time when they
// are files small enough.
func Graphs(srcs []Source, opt Options) ([]*graph.Graph, error) {
	graphs := make([]*graph.Graph, len(srcs))
	err := each(srcs, opt.Progress, nil, func(k int, g *graph.Graph) { graphs[k] = g })
	return graphs, err
}

// SummaryResult is the Summary view of a snapshot and its totals.
type SummaryResult struct {
	Classes []summary.Class
	Totals  summary.Totals
	// Scripts names the scripts of the classes' locations.
	Scripts report.ScriptNames
}

// Summary reads and analyses one snapshot and returns its Summary view
// (rows in DevTools' order of first appearance) and totals. The rows are
// begun while the dominator tree is built, and the graph is let go before
// they are complete.
func Summary(src Source, opt Options) (*SummaryResult, error) {
	rep := opt.Progress
	var pending *summary.Pending
	var scripts report.ScriptNames
	g, err := analyse(src, rep, graph.Options{Overlap: overlap.New(func(g *graph.Graph) {
		pending = summary.Begin(overlap.Key{}, g)
		// The script names, copied, while the dominator tree is built:
		// the graph is let go before the rows are complete.
		scripts = report.ScriptNamesOf(g)
	})})
	if err != nil {
		return nil, err
	}
	// Only the rows and the little that completes them are left to
	// compute. The rest of the graph is collected here (quick: the heap is
	// a few pointer-free arrays), and its pages go back to the system on
	// the idle core while the Summary is completed and printed, instead of
	// in the kernel's teardown after the output (0.13 s for a 1 GiB
	// snapshot). The collection is not left to that goroutine: this one,
	// preempted mid-loop, would have its innermost frame scanned
	// conservatively, and a stale pointer there can keep the whole graph.
	pending.Detach(g)
	g = nil
	runtime.GC()
	panicerr.Go("load: freeing memory", func() error { debug.FreeOSMemory(); return nil })
	rep.Phase("aggregating classes")
	classes, _, totals := pending.Result()
	return &SummaryResult{Classes: classes, Totals: totals, Scripts: scripts}, nil
}

// Series reads and analyses snapshots of one process, in the order they
// were taken, and returns the leak verdict over them.
//
// The last snapshot is loaded first and kept whole, its Summary begun
// while its dominator tree is built; each earlier one is analysed with the
// last one's interface definitions and without distances, and reduced by
// the series as soon as the next is added, so a series costs little more
// memory than its last snapshot.
func Series(srcs []Source, lopt leak.Options, opt Options) (*leak.Report, error) {
	rep := opt.Progress
	n := len(srcs)
	if n < 2 {
		return nil, &InputError{fmt.Errorf("need at least two snapshots of one process, got %d", n)}
	}
	var pending *summary.Pending
	last, err := analyse(srcs[n-1], rep, graph.Options{Overlap: overlap.New(func(g *graph.Graph) { pending = summary.Begin(overlap.Key{}, g) })})
	if err != nil {
		return nil, err
	}
	series := leak.NewSeries(lopt)
	// The earlier snapshots are analysed with the last one's interface
	// definitions, so their class rows are final: each is begun while its
	// dominator tree is built and finished by the goroutine that loaded
	// it. Graphs arrive in any order when two load at once; the series
	// takes them in order, and none is kept once added.
	var mu sync.Mutex
	type reduced struct {
		g    *graph.Graph
		rows []summary.Class
		ids  *diff.IDs
	}
	ready := make([]*reduced, n-1)
	pendings := make([]*summary.Pending, n-1)
	next := 0
	err = each(srcs[:n-1], rep, func(k int) graph.Options {
		return graph.Options{Interfaces: last.Interfaces, SkipDistances: true,
			Overlap: overlap.New(func(g *graph.Graph) { pendings[k] = summary.Begin(overlap.Key{}, g) })}
	}, func(k int, g *graph.Graph) {
		rows, _, _ := pendings[k].Finish(g)
		pendings[k] = nil
		ids := diff.NewIDs(g.S)
		mu.Lock()
		defer mu.Unlock()
		ready[k] = &reduced{g, rows, ids}
		for next < len(ready) && ready[next] != nil {
			series.AddEarlierSummarized(overlap.Key{}, srcs[next].Name, ready[next].g, ready[next].rows, ready[next].ids)
			ready[next] = nil
			next++
		}
	})
	if err != nil {
		return nil, err
	}
	// The earlier graphs are garbage now. Collected at once (quick: a few
	// pointer-free arrays), their pages hold the verdict's retainer index
	// instead of fresh pages faulted in on the way to the verdict.
	runtime.GC()
	rep.Phase("looking for leaks")
	rows, perNode, _ := pending.Finish(last)
	series.AddSummarized(overlap.Key{}, srcs[n-1].Name, last, rows, perNode)
	r, err := series.Report()
	if err != nil {
		return nil, &InputError{err}
	}
	return r, nil
}

// each reads and analyses several snapshots and hands each to keep, two at
// a time when they are files small enough: the analysis of one leaves a
// core idle for long stretches (the dominator tree is sequential) that the
// parse of the next one fills. options, if set, gives each graph's
// analysis options. keep may run concurrently for different k.
func each(srcs []Source, rep *progress.Reporter, options func(k int) graph.Options, keep func(k int, g *graph.Graph)) error {
	const concurrentBelow = 1 << 30 // bytes per file; bigger ones load alone to bound memory
	parallel := len(srcs) > 1
	for _, src := range srcs {
		if src.embedded != "" {
			parallel = false // as the demo always loaded: one after another
			continue
		}
		if st, err := os.Stat(src.path); src.path == "-" || err != nil || st.Size() >= concurrentBelow {
			parallel = false
		}
	}
	opts := func(k int) graph.Options {
		if options == nil {
			return graph.Options{}
		}
		return options(k)
	}
	if !parallel {
		for k, src := range srcs {
			g, err := analyse(src, rep, opts(k))
			if err != nil {
				return err
			}
			keep(k, g)
		}
		return nil
	}
	errs := make([]error, len(srcs))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for k, src := range srcs {
		wg.Add(1)
		sem <- struct{}{}
		rep.Phase(fmt.Sprintf("loading %d of %d snapshots", k+1, len(srcs)))
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[k] = panicerr.Call("load: loading "+src.Name, func() error {
				g, err := analyse(src, nil, opts(k))
				if err == nil {
					keep(k, g)
				}
				return err
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
