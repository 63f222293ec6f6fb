//go:build !unix

package hunt

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Windows has no SIGUSR1, process groups to signal or FIFOs: run works
// (the program is killed rather than stopped gently, and a program whose main
// thread never yields cannot be snapshotted), attach needs an inspector that
// is already open.

// sigUSR1 is never used: checkProcess refuses before handlesSIGUSR1.
var sigUSR1 syscall.Signal

func checkProcess(pid int) error {
	return fmt.Errorf("attach %d: opening a process's inspector needs SIGUSR1, which this system lacks: start node with --inspect and attach HOST:PORT", pid)
}

func signalUSR1(pid int) error { return errors.ErrUnsupported }

func programAttr() *syscall.SysProcAttr { return nil }

// signalGroup ends the program: there is no gentler signal to send.
func signalGroup(pid int, sig syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

func mkfifo(path string) error {
	return fmt.Errorf("a program that never yields is snapshotted through a FIFO, which this system lacks")
}

func openNonblocking(path string, flag int) (*os.File, error) { return nil, errors.ErrUnsupported }
