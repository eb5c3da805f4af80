package admin

import (
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// AutoLeave is how long admin mode stays open without input.
const AutoLeave = 2 * time.Minute

// Idle calls its callback once when timeout has passed without a Touch.
// It is safe for concurrent use; the callback runs on the clock's timer
// goroutine, so a UI must hand it to its own goroutine (fyne.Do).
type Idle struct {
	clock   Clock
	timeout time.Duration
	expire  func()

	mu      sync.Mutex
	timer   flow.Timer
	gen     uint64 // bumped by every Touch and Stop; stale timers see it changed
	running bool
	last    time.Time
}

// NewIdle returns a stopped Idle; Start arms it. A timeout <= 0 means
// AutoLeave.
func NewIdle(clock Clock, timeout time.Duration, expire func()) *Idle {
	if timeout <= 0 {
		timeout = AutoLeave
	}
	return &Idle{clock: clock, timeout: timeout, expire: expire}
}

// Start arms the timer from now (entering admin mode).
func (i *Idle) Start() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.running = true
	i.arm()
}

// Touch records input and restarts the countdown; it does nothing when
// stopped.
func (i *Idle) Touch() {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.running {
		i.arm()
	}
}

// Stop disarms the timer (leaving admin mode by hand).
func (i *Idle) Stop() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.running = false
	i.gen++
	if i.timer != nil {
		i.timer.Stop()
		i.timer = nil
	}
}

// Remaining is the time left before the callback; 0 when stopped.
func (i *Idle) Remaining() time.Duration {
	i.mu.Lock()
	defer i.mu.Unlock()
	if !i.running {
		return 0
	}
	return max(0, i.timeout-i.clock.Now().Sub(i.last))
}

func (i *Idle) arm() {
	i.gen++
	gen := i.gen
	if i.timer != nil {
		i.timer.Stop()
	}
	i.last = i.clock.Now()
	i.timer = i.clock.AfterFunc(i.timeout, func() { i.fire(gen) })
}

func (i *Idle) fire(gen uint64) {
	i.mu.Lock()
	if !i.running || gen != i.gen {
		i.mu.Unlock()
		return
	}
	i.running = false
	i.timer = nil
	i.mu.Unlock()
	i.expire()
}
