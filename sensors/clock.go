package sensors

import "time"

// Clock is where devices get the time. Devices stamp every edge with Now
// when it reaches them and arm their deadlines (debounce, hold, timeouts,
// stuck detection) with AfterFunc, so a fake clock (sensorstest.Clock) makes
// every timing test instant and deterministic.
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

// SystemClock is the wall clock.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
