//go:build unix

package snapshot

import (
	"io/fs"
	"syscall"
)

// heldBytes returns how many bytes of the regular file st are allocated on
// disk, at most its size: a sparse file's holes are not.
func heldBytes(st fs.FileInfo) int64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return min(st.Size(), int64(s.Blocks)*512)
	}
	return 0
}
