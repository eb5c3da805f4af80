// Package clocktest has the fake clock for tests, in the spirit of
// periph's gpiotest: time stands still until the test moves it.
package clocktest

import (
	"container/heap"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Fake is a manual clock. Time stands still until Advance or Set moves it;
// due AfterFunc callbacks then run synchronously in the caller's goroutine,
// in deadline order (in arming order for equal deadlines), each seeing Now
// equal to its own deadline. Callbacks may arm new timers, which fire in the
// same Advance if they fall due. AfterFunc never runs f itself, even for
// d <= 0: it runs at the next Advance or Set.
//
// Running callbacks synchronously is the point: when Advance returns,
// everything due has happened, so a test needs no sleeps and no polling.
type Fake struct {
	advancing sync.Mutex // one Advance at a time

	mu     sync.Mutex
	now    time.Time
	timers timerHeap
	seq    uint64
}

var _ clock.Clock = (*Fake)(nil)

// Epoch is the default start of a fake clock: a Monday morning in opening
// hours, in UTC.
var Epoch = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// NewFake returns a fake clock reading start (Epoch if zero).
func NewFake(start time.Time) *Fake {
	if start.IsZero() {
		start = Epoch
	}
	return &Fake{now: start}
}

// Now implements clock.Clock.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc implements clock.Clock.
func (c *Fake) AfterFunc(d time.Duration, f func()) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, at: c.now.Add(d), seq: c.seq, f: f, index: -1}
	heap.Push(&c.timers, t)
	return t
}

// Advance moves the clock forward by d, running every callback that falls due.
func (c *Fake) Advance(d time.Duration) {
	c.Set(c.Now().Add(d))
}

// Set moves the clock to t. Forward, it runs every callback due by t, as
// Advance does. Backward (a wall clock stepped back), no timer fires: they
// stay armed for their deadlines.
func (c *Fake) Set(t time.Time) {
	c.advancing.Lock()
	defer c.advancing.Unlock()
	c.mu.Lock()
	if t.Before(c.now) {
		c.now = t
		c.mu.Unlock()
		return
	}
	for {
		if len(c.timers) == 0 || c.timers[0].at.After(t) {
			c.now = t
			c.mu.Unlock()
			return
		}
		next := heap.Pop(&c.timers).(*timer)
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f() // without the lock: callbacks arm timers and read Now
		c.mu.Lock()
	}
}

// Pending reports how many timers are armed; tests use it to show that
// stopped timers do not pile up.
func (c *Fake) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

type timer struct {
	c     *Fake
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
