package node

import "syscall"

// clockSynced reports whether the kernel says the system clock is
// synchronised (adjtimex's state, what timedatectl shows as "System clock
// synchronized"): false while it is TIME_ERROR, as on a board without a
// real-time clock that booted offline.
func clockSynced() bool {
	var tx syscall.Timex
	state, err := syscall.Adjtimex(&tx)
	return err == nil && state != 5 // TIME_ERROR
}

const canTellClock = true
