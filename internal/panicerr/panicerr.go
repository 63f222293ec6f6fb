// Package panicerr turns a panic in one of heapscope's goroutines into an
// error its caller receives, so that a bug ends as the one-line error the
// README promises and a non-zero exit, never a stack dump: Go's recover
// only catches a panic in its own goroutine, and a panic anywhere else
// kills the process.
//
// Every goroutine of heapscope runs its body through Call or Go. For tests,
// Inject (or HEAPSCOPE_TEST_PANIC=WHERE in the environment of the binary)
// makes the goroutine named WHERE panic when it starts.
package panicerr

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"
)

// Error is a panic caught in a goroutine.
type Error struct {
	// Where names the goroutine, as passed to Call or Go.
	Where string
	// Value is what was passed to panic.
	Value any
	// Stack is the panicking goroutine's stack, for a debugger; the error
	// text leaves it out.
	Stack []byte
}

func (e *Error) Error() string {
	return fmt.Sprintf("internal error in %s: %v (a bug in heapscope; please report it)", e.Where, e.Value)
}

// Unwrap returns the panic value if it is an error (a runtime error, say).
func (e *Error) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Call runs f and returns its error or, if f panics, an *Error. A panic
// whose value is already an *Error (one re-raised by Raise) is returned as
// it is.
func Call(where string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if pe, ok := r.(*Error); ok {
				err = pe
				return
			}
			err = &Error{Where: where, Value: r, Stack: debug.Stack()}
		}
	}()
	if w := injected.Load(); w != nil && *w == where {
		panic("injected by a test")
	}
	return f()
}

// Go runs f in a new goroutine, through Call, and returns a channel that
// receives its error (nil if none) once f has returned or panicked.
func Go(where string, f func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- Call(where, f) }()
	return done
}

// Raise re-raises, in the caller's goroutine, an *Error that a function
// without an error result received from Go: the caller's own Call (or
// main's recover) then reports it. Other errors are returned.
func Raise(err error) error {
	if pe, ok := err.(*Error); ok {
		panic(pe)
	}
	return err
}

// injected names the goroutine that is to panic, for tests.
var injected atomic.Pointer[string]

func init() {
	if w := os.Getenv("HEAPSCOPE_TEST_PANIC"); w != "" {
		injected.Store(&w)
	}
}

// Inject makes the goroutine named where panic when it next starts, until
// the returned function is called. It is for tests.
func Inject(where string) (undo func()) {
	injected.Store(&where)
	return func() { injected.Store(nil) }
}
