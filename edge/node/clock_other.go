//go:build !linux

package node

// clockSynced is unknown here; see clock_linux.go.
func clockSynced() bool { return true }

const canTellClock = false
