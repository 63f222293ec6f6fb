//go:build unix && !linux

package hunt

import "syscall"

// programAttr puts a launched program in its own process group, so that
// stopping it reaches its children. (Only Linux can also signal it when
// heapscope dies.)
func programAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
