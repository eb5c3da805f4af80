//go:build !linux

package store

// releaseMapped is a no-op where MADV_DONTNEED is not wired up.
func releaseMapped(addr uintptr, size int64) {}
