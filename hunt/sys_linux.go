package hunt

import "syscall"

// programAttr puts a launched program in its own process group, so that
// stopping it reaches its children, and has it sent SIGTERM when heapscope
// dies, so that it never outlives the hunt.
func programAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
