// Package debounce is the contact-bounce filter every sensors device uses: a
// new level is accepted once the raw input has held it for a whole window,
// and the accepted change is dated at the raw edge that started the stable
// run, not at the moment it was accepted. So debounced inputs still tell
// which changed first even though both are reported a window late, as long
// as no glitch in a change's first window restarts its stable run (which
// dates it at the glitch's end instead: the door counter allows for that).
//
// A Filter is a plain state machine fed with timestamped edges; it has no
// goroutines and no clock of its own.
package debounce

import "time"

// Filter debounces one input.
type Filter struct {
	Window time.Duration

	stable  bool      // accepted level (true = active)
	pending bool      // a different raw level is waiting out the window
	since   time.Time // when the pending raw level began
	edges   uint64
}

// Reset sets the accepted level without reporting a change (start-up).
func (f *Filter) Reset(active bool) {
	f.stable = active
	f.pending = false
}

// Level returns the accepted level.
func (f *Filter) Level() bool { return f.stable }

// Edges returns the number of raw edges seen.
func (f *Filter) Edges() uint64 { return f.edges }

// Edge records that the raw input read active at t. Call Advance(t) first so
// a pending change that was already stable by t is accepted before this edge
// restarts the window.
func (f *Filter) Edge(t time.Time, active bool) {
	f.edges++
	if active == f.stable {
		// Back to the accepted level (or a glitch too short to see both
		// edges): whatever was pending was bounce.
		f.pending = false
		return
	}
	f.pending = true
	f.since = t
}

// Due returns when the pending change will be accepted, if one is pending.
func (f *Filter) Due() (time.Time, bool) {
	if !f.pending {
		return time.Time{}, false
	}
	return f.since.Add(f.Window), true
}

// Pending returns when the raw level began to differ from the accepted one,
// if it does: a change that may yet be accepted, dated at its start.
func (f *Filter) Pending() (time.Time, bool) {
	return f.since, f.pending
}

// Advance accepts the pending change if it has been stable until now. It
// returns whether the level changed, and the time of the raw edge that
// started the stable run.
func (f *Filter) Advance(now time.Time) (changed bool, at time.Time) {
	if !f.pending || now.Before(f.since.Add(f.Window)) {
		return false, time.Time{}
	}
	f.pending = false
	f.stable = !f.stable
	return true, f.since
}
