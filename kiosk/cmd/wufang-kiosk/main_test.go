package main

import (
	"os"
	"syscall"
	"testing"
)

// TestMain runs the tests with a short Fyne renderer-cache lifetime, so the
// soak test sees the heap the kiosk would settle to rather than a minute of
// screens waiting in the cache. Fyne reads FYNE_CACHE once, at start-up:
// set it and start again.
func TestMain(m *testing.M) {
	if os.Getenv("FYNE_CACHE") == "" {
		os.Setenv("FYNE_CACHE", "1s")
		if err := syscall.Exec(os.Args[0], os.Args, os.Environ()); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
