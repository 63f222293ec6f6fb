package panicerr

import (
	"errors"
	"strings"
	"testing"
)

func TestCall(t *testing.T) {
	if err := Call("x", func() error { return nil }); err != nil {
		t.Errorf("no panic: %v", err)
	}
	want := errors.New("plain")
	if err := Call("x", func() error { return want }); err != want {
		t.Errorf("error passed through: got %v", err)
	}
	err := Call("the test", func() error { panic("boom") })
	var pe *Error
	if !errors.As(err, &pe) || pe.Where != "the test" || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("panic: got %#v", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "internal error in the test: boom") {
		t.Errorf("message %q", msg)
	}
	// A runtime error unwraps to itself.
	err = Call("index", func() error {
		var s []int
		_ = s[len(s)]
		return nil
	})
	var re interface{ RuntimeError() }
	if !errors.As(err, &re) {
		t.Errorf("runtime error not unwrapped: %v", err)
	}
}

func TestGoAndRaise(t *testing.T) {
	err := <-Go("worker", func() error { panic("boom") })
	var pe *Error
	if !errors.As(err, &pe) || pe.Where != "worker" {
		t.Fatalf("Go: got %v", err)
	}
	// Raised in the caller, caught by the caller's Call as it was.
	got := Call("caller", func() error { Raise(err); return nil })
	if got != err {
		t.Errorf("Raise: got %v, want %v", got, err)
	}
	if e := Raise(errors.New("plain")); e == nil || e.Error() != "plain" {
		t.Errorf("Raise of a plain error: %v", e)
	}
}

func TestInject(t *testing.T) {
	undo := Inject("here")
	err := Call("here", func() error { return nil })
	if err == nil || !strings.Contains(err.Error(), "internal error in here: injected by a test") {
		t.Errorf("injected: %v", err)
	}
	if err := Call("elsewhere", func() error { return nil }); err != nil {
		t.Errorf("elsewhere: %v", err)
	}
	undo()
	if err := Call("here", func() error { return nil }); err != nil {
		t.Errorf("after undo: %v", err)
	}
}
