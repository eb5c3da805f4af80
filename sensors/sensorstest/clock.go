// Package sensorstest has fakes for testing code built on the sensors
// package, in the spirit of periph's gpiotest: Clock is a manual clock whose
// timers fire, in deadline order, while a test advances it.
package sensorstest

import (
	"container/heap"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/sensors"
)

// Clock is a fake sensors.Clock. Time stands still until Advance or Set
// moves it; due AfterFunc callbacks then run synchronously in the caller's
// goroutine, each seeing Now equal to its own deadline. Callbacks may arm
// new timers, which fire in the same Advance if they fall due.
type Clock struct {
	advancing sync.Mutex // one Advance at a time

	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64
}

var _ sensors.Clock = (*Clock)(nil)

// Epoch is the default start of a fake clock: a Monday morning in opening
// hours, in UTC.
var Epoch = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// NewClock returns a fake clock reading start (Epoch if zero).
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = Epoch
	}
	return &Clock{now: start}
}

// Now implements sensors.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc implements sensors.Clock.
func (c *Clock) AfterFunc(d time.Duration, f func()) sensors.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, at: c.now.Add(d), seq: c.seq, f: f, index: -1}
	heap.Push(&c.timers, t)
	return t
}

// Advance moves the clock forward by d, running every callback that falls due.
func (c *Clock) Advance(d time.Duration) {
	c.Set(c.Now().Add(d))
}

// Set moves the clock to t (never backwards), running every callback due by t.
func (c *Clock) Set(t time.Time) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	for {
		c.mu.Lock()
		if len(c.timers) == 0 || c.timers[0].at.After(t) {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return
		}
		next := heap.Pop(&c.timers).(*timer)
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f() // without the lock: callbacks arm timers and read Now
	}
}

// Pending reports how many timers are armed; tests use it to show that
// stopped timers do not pile up.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

type timer struct {
	c     *Clock
	at    time.Time
	seq   uint64
	f     func()
	index int
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.c.timers, t.index)
	return true
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
