package store

import (
	"os"
	"syscall"
)

// releaseMapped drops the pages of bbolt's read-only shared mapping from
// this process's resident set (MADV_DONTNEED). They stay in the page cache
// and fault back in on the next read, so nothing changes but RSS: without
// this, draining a backlog of a million events would keep every page it
// read resident and count it against the process. It must run inside a
// read transaction, which keeps bbolt from remapping meanwhile.
func releaseMapped(addr uintptr, size int64) {
	if addr == 0 || size <= 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(size), syscall.MADV_DONTNEED)
}

// unlockFile drops bbolt's flock on f.
func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// freeBytes is the space left for an unprivileged writer in dir's file
// system.
func freeBytes(dir string) (int64, bool) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true // Bsize is int32 on 32-bit arm
}
