package main

import (
	"fmt"
	"os"

	"github.com/heapscope/heapscope/graph"
	"github.com/heapscope/heapscope/progress"
	"github.com/heapscope/heapscope/snapshot"
)

// load reads and analyses one snapshot file ("-" for stdin).
func load(path string, rep *progress.Reporter) (*graph.Graph, error) {
	return loadWith(path, rep, graph.Options{})
}

// loadWith is load with analysis options (Phase is set here).
func loadWith(path string, rep *progress.Reporter, opt graph.Options) (*graph.Graph, error) {
	var size int64 = -1
	if path != "-" {
		st, err := os.Stat(path)
		if err != nil {
			return nil, inputError(err)
		}
		if st.IsDir() {
			return nil, inputError(fmt.Errorf("%s: is a directory", path))
		}
		size = st.Size()
	}
	s, err := snapshot.ReadFile(path, snapshot.Options{Progress: rep.Reading(path, size)})
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %w", path, err))
	}
	opt.Phase = rep.Phase
	return graph.Analyze(s, opt), nil
}
