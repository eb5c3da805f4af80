//go:build !linux

package store

import "os"

// releaseMapped is a no-op where MADV_DONTNEED is not wired up.
func releaseMapped(addr uintptr, size int64) {}

// unlockFile is a no-op where the unlock is not wired up.
func unlockFile(f *os.File) {}

// freeBytes is unknown here.
func freeBytes(dir string) (int64, bool) { return 0, false }
