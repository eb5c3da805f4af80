// Package flowtest has fakes for testing code built on kiosk/flow: a manual
// Clock, a Recorder that keeps what it is given, and a small bilingual Pack
// with every step type.
package flowtest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// Clock is a flow.Clock that moves only when told. Timers fire on the
// goroutine that calls Advance, in time order.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*timer
}

var _ flow.Clock = (*Clock)(nil)

type timer struct {
	c    *Clock
	when time.Time
	seq  uint64
	f    func()
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f to run in Advance once d has passed. It never runs f
// itself, even for d <= 0.
func (c *Clock) AfterFunc(d time.Duration, f func()) flow.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, when: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	i := slices.Index(t.c.timers, t)
	if i < 0 {
		return false
	}
	t.c.timers = slices.Delete(t.c.timers, i, i+1)
	return true
}

// Advance moves the clock forward by d, firing every timer that falls due on
// the way (also ones those timers schedule), each at its own time.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *timer
		for _, t := range c.timers {
			if !t.when.After(target) && (next == nil || t.when.Before(next.when) || (t.when.Equal(next.when) && t.seq < next.seq)) {
				next = t
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		c.timers = slices.DeleteFunc(c.timers, func(t *timer) bool { return t == next })
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
	}
}

// Set moves the clock to t (forward: as Advance; backward: no timer fires).
func (c *Clock) Set(t time.Time) {
	if d := t.Sub(c.Now()); d >= 0 {
		c.Advance(d)
		return
	}
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Pending is the number of timers not fired or stopped yet.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Recorder keeps every event it is given. Set Err to make Record fail, or
// Gate to make it wait (until the gate is closed or the context ends).
type Recorder struct {
	mu     sync.Mutex
	events []wire.Event
	Err    error
	Gate   chan struct{}
}

var _ flow.Recorder = (*Recorder)(nil)

// Record keeps e.
func (r *Recorder) Record(ctx context.Context, e wire.Event) error {
	r.mu.Lock()
	gate, err := r.Gate, r.Err
	r.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	return nil
}

// Events returns a copy of the events recorded so far.
func (r *Recorder) Events() []wire.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Kinds returns the kinds of the events recorded so far.
func (r *Recorder) Kinds() []wire.Kind {
	var k []wire.Kind
	for _, e := range r.Events() {
		k = append(k, e.Kind)
	}
	return k
}

// Reset forgets the events recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}
