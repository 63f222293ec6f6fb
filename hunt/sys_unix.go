//go:build unix

package hunt

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// sigUSR1 is the signal that opens a Node.js process's inspector.
const sigUSR1 = syscall.SIGUSR1

// checkProcess says whether process pid exists (EPERM: it does, but is
// another user's).
func checkProcess(pid int) error {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("no process %d", pid)
	} else if err != nil && !errors.Is(err, syscall.EPERM) {
		return fmt.Errorf("process %d: %w", pid, err)
	}
	return nil
}

// signalUSR1 asks Node.js process pid to open its inspector.
func signalUSR1(pid int) error { return syscall.Kill(pid, syscall.SIGUSR1) }

// signalGroup sends sig to the process group led by pid (a program started
// with programAttr), so that it reaches the program's children too.
func signalGroup(pid int, sig syscall.Signal) { syscall.Kill(-pid, sig) }

// mkfifo makes the FIFO that V8 writes a snapshot into.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// openNonblocking opens path without blocking on a FIFO with no other end.
func openNonblocking(path string, flag int) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NONBLOCK, 0)
}
