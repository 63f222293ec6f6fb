package leak

import (
	"fmt"
	"strings"

	"github.com/heapscope/heapscope/diff"
	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/internal/panicerr"
)

// ProcessError is Report's error when two consecutive snapshots of a series
// are not of one process: the verdict joins objects on their V8 ids, which
// only name the same object within one process. The test is diff's
// (diff.CheckProcess), the one behind the warnings of "heapscope diff".
type ProcessError struct {
	// Base and Target name the two snapshots, in the series' order.
	Base, Target string
	Check        diff.ProcessCheck
}

func (e *ProcessError) Error() string {
	return fmt.Sprintf("%s and %s are not snapshots of one process: %s", e.Base, e.Target, strings.Join(e.Check.Warnings, "; "))
}

// processCheck is the test of one process between a snapshot of a series
// and the one added before it. It reads only ids and hashed names (8 bytes
// per node, diff.IDs), and keeps them only until the next snapshot is
// checked, so the series still keeps no earlier graph.
type processCheck struct {
	name string
	prev *processCheck // nil for the first snapshot, and once checked
	ids  *diff.IDs     // until the next snapshot is checked
	err  error         // set if the test fails (a *ProcessError) or panics
	done chan struct{} // closed once ids and err are set
}

// newCheck returns the check of the snapshot name, added next; run it
// with its graph.
func (s *Series) newCheck(name string) *processCheck {
	c := &processCheck{name: name, done: make(chan struct{})}
	if n := len(s.checks); n > 0 {
		c.prev = s.checks[n-1]
	}
	s.checks = append(s.checks, c)
	return c
}

// run reads g's ids and, once the snapshot before is read, tests the two.
func (c *processCheck) run(g *graph.Graph) {
	var ids *diff.IDs
	if err := panicerr.Call("leak: reading the ids of "+c.name, func() error { ids = diff.NewIDs(g.S); return nil }); err != nil {
		c.fail(err)
		return
	}
	c.runIDs(ids)
}

// start runs c in a goroutine of its own.
func (c *processCheck) start(g *graph.Graph) { go c.run(g) }

// fail ends c with err, for a check that could not run.
func (c *processCheck) fail(err error) {
	c.err = err
	if p := c.prev; p != nil {
		<-p.done
		p.ids, c.prev = nil, nil
	}
	close(c.done)
}

// runIDs is run with the snapshot's ids already read.
func (c *processCheck) runIDs(ids *diff.IDs) {
	defer close(c.done)
	c.ids = ids
	if p := c.prev; p != nil {
		<-p.done
		c.err = panicerr.Call("leak: the test of one process", func() error {
			if r := diff.CheckProcess(p.ids, c.ids); r.OtherProcess {
				return &ProcessError{Base: p.name, Target: c.name, Check: r}
			}
			return nil
		})
		p.ids, c.prev = nil, nil
	}
}

// checkProcess waits for the checks of the snapshots added and returns the
// first failure, or nil.
func (s *Series) checkProcess() error {
	for _, c := range s.checks {
		<-c.done
	}
	for _, c := range s.checks {
		if c.err != nil {
			return c.err
		}
	}
	return nil
}
