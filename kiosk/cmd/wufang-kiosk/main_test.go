package main

import (
	"os"
	"syscall"
	"testing"

	"github.com/wufang-kiosk/wufang/kiosk/adminui"
	"github.com/wufang-kiosk/wufang/kiosk/ui"
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

// TestStaffCornerIsFree: admin mode's hot zone (held to open the PIN pad)
// fits in the corner the visitor screens keep free of controls, which the
// render check verifies on every screen of a pack (ui.StaffCorner): a
// visitor pressing a button never starts the hold.
func TestStaffCornerIsFree(t *testing.T) {
	if adminui.CornerSize > ui.StaffCorner {
		t.Fatalf("admin hot zone %v px, the visitor screens keep %v px free", adminui.CornerSize, ui.StaffCorner)
	}
}
