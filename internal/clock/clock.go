// Package clock is the one time source of the device's code: the sensors,
// the visit flow, the store, the uplink and the node take a Clock, so one
// fake (clocktest.Fake) drives them all in a test, instantly and in a fixed
// order.
package clock

import "time"

// Clock tells the time and arms timers.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has passed. The real clock calls it in its
	// own goroutine; a fake clock calls it while it is advanced.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; it reports false if the call already ran or
	// was already stopped.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

var _ Clock = Real{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Or returns c, or the wall clock when c is nil: for Options whose nil
// Clock means real time.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}
