package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/snapshot"
	"github.com/heapscope/heapscope/summary"
)

func main() {
	f, _ := os.Create("/tmp/cpu.prof")
	pprof.StartCPUProfile(f)
	defer pprof.StopCPUProfile()
	t := time.Now()
	mem := func(p string) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(os.Stderr, "%-30s %6.2fs heap=%dMB sys=%dMB\n", p, time.Since(t).Seconds(), m.HeapAlloc>>20, m.Sys>>20)
		t = time.Now()
	}
	s, err := snapshot.ReadFile(os.Args[1], snapshot.Options{})
	if err != nil { panic(err) }
	mem("parse")
	g := graph.Analyze(s, graph.Options{Phase: func(p string) { mem("before " + p) }})
	mem("analyze")
	c := summary.Classes(g, nil)
	mem("classes")
	summary.ComputeTotals(g)
	mem("totals")
	_ = c
}
