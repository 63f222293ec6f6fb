// Package overlap carries work from package load into graph.Analyze, to run
// while the dominator tree is built on another goroutine, without making
// that speed plumbing part of graph's public API: outside this module a
// Hook cannot be made, so graph.Options.Overlap can only be left nil.
package overlap

// Hook is a function run on a value once it is ready enough.
type Hook[T any] struct{ fn func(T) }

// New returns a Hook that calls fn.
func New[T any](fn func(T)) *Hook[T] { return &Hook[T]{fn} }

// Run calls the hook's function with v; a nil Hook does nothing.
func (h *Hook[T]) Run(v T) {
	if h != nil {
		h.fn(v)
	}
}

// Key is an argument of the exported functions that only package load is
// meant to call (summary.Begin): outside this module there is no Key to
// pass.
type Key struct{}
