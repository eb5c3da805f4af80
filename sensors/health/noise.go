package health

import (
	"fmt"
	"time"
)

// NoiseDetail is the fault text for a noisy input.
func NoiseDetail(what string, rate int) string {
	return fmt.Sprintf("%s: %d edges a second: electrical noise (check the pull-up, the cable and its ground connection) or flickering light on the receiver", what, rate)
}

// Noise trips when an input's raw edges stay above Limit per second for For:
// a floating input (no pull-up, a broken wire), a beam receiver in
// flickering light, or interference on a long cable. Devices debounce such
// noise away, so without this check it would only show as a sensor that
// never reports anything. It recovers after Quiet below the limit.
//
// Noise counts in whole seconds and keeps no history beyond that, so a storm
// costs it nothing.
type Noise struct {
	Limit int           // edges per second; 0 disables
	For   time.Duration // default 3 s
	Quiet time.Duration // default 10 s

	start   time.Time // current one-second window
	n       int
	loud    time.Duration // consecutive time above the limit
	calm    time.Duration // consecutive time below it, once tripped
	tripped bool
	last    int // edges in the last closed window above the limit
}

// Edge counts one raw edge at t. It reports a change of state, as Advance.
func (s *Noise) Edge(t time.Time) (tripped, recovered bool, rate int) {
	if s.Limit <= 0 {
		return false, false, 0
	}
	tripped, recovered, rate = s.Advance(t)
	if s.start.IsZero() {
		s.start = t
	}
	s.n++
	return tripped, recovered, rate
}

// Due returns when the current window closes, when that matters.
func (s *Noise) Due() (time.Time, bool) {
	if s.Limit <= 0 || s.start.IsZero() || (s.n == 0 && !s.tripped && s.loud == 0) {
		return time.Time{}, false
	}
	return s.start.Add(time.Second), true
}

// Advance closes the windows that ended by now. It reports whether the
// check tripped or recovered, with the edge rate that tripped it.
func (s *Noise) Advance(now time.Time) (tripped, recovered bool, rate int) {
	if s.Limit <= 0 || s.start.IsZero() {
		return false, false, 0
	}
	forDur, quiet := s.For, s.Quiet
	if forDur <= 0 {
		forDur = 3 * time.Second
	}
	if quiet <= 0 {
		quiet = 10 * time.Second
	}
	for !now.Before(s.start.Add(time.Second)) {
		if s.n > s.Limit {
			s.loud += time.Second
			s.calm = 0
			s.last = s.n
		} else {
			s.loud = 0
			if s.tripped {
				s.calm += time.Second
			}
		}
		s.n = 0
		s.start = s.start.Add(time.Second)
		if !s.tripped && s.loud >= forDur {
			s.tripped, tripped, rate = true, true, s.last
		}
		if s.tripped && s.calm >= quiet {
			s.tripped, s.calm, recovered = false, 0, true
		}
		if s.loud == 0 && !s.tripped {
			// Idle: skip ahead instead of counting empty seconds.
			if gap := now.Sub(s.start); gap >= time.Second {
				s.start = s.start.Add(gap.Truncate(time.Second))
			}
		}
	}
	return tripped, recovered, rate
}

// Tripped reports whether the check is tripped.
func (s *Noise) Tripped() bool { return s.tripped }
