package main

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// idlePump keeps Fyne's main loop asleep while nothing happens. Fyne 2.7's
// GLFW loop wakes 60 times a second to poll for events and dirty canvases
// even when the screen is still (fyne issues #2506, #3295): on an attract
// loop that changes a slide every few seconds that is most of the kiosk's
// idle CPU. Each turn of the pump runs on the main thread as a fyne.Do
// function and blocks in glfw.WaitEventsTimeout, which returns at once on
// any input (a touch, a key) or on wake; after input the normal loop runs
// at full rate for active, so taps animate smoothly. Work posted from other
// goroutines calls wake after fyne.Do, or it waits at most max.
// (Measured on the bare-window baseline: idle CPU from about 1% to 0.1–0.4%
// of a core, with unchanged tap-to-frame time; build/bench/NOTES.md.)
type idlePump struct {
	max, active time.Duration
	// mu is held by wake while it posts, and by stop: once Fyne's loop has
	// ended, GLFW is terminated and a GLFW call panics (seen at exit as
	// "NotInitialized" from a turn scheduled just before the quit).
	mu      sync.RWMutex
	stopped atomic.Bool
	woken   atomic.Bool // the last early return was a wake, not input
}

func newIdlePump() *idlePump {
	return &idlePump{max: 30 * time.Second, active: 2 * time.Second}
}

// start runs the pump; call it once Fyne's loop runs (Lifecycle
// SetOnStarted).
func (p *idlePump) start() { fyne.Do(p.turn) }

// stop ends the pump for good. Call it before app.Quit: it ends a wait in
// progress, so the loop sees the quit at once, and no turn or wake touches
// GLFW afterwards (once Fyne's loop has quit, fyne.Do runs functions on
// the caller's goroutine, after GLFW is terminated).
func (p *idlePump) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped.Swap(true) {
		glfw.PostEmptyEvent()
	}
}

func (p *idlePump) turn() {
	if p.stopped.Load() {
		return
	}
	start := time.Now()
	glfw.WaitEventsTimeout(p.max.Seconds())
	if p.stopped.Load() {
		return
	}
	// Let the loop draw what the wait let in (a change posted with a wake,
	// an attract slide, needs a frame or two); after input, stay at full
	// rate for a while.
	next := 20 * time.Millisecond
	if woken := p.woken.Swap(false); !woken && time.Since(start) < p.max-10*time.Millisecond {
		next = p.active
	}
	time.AfterFunc(next, func() { fyne.Do(p.turn) })
}

// wake interrupts the pump's wait, so work just posted with fyne.Do runs
// now. GLFW allows it from any goroutine.
func (p *idlePump) wake() {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if !p.stopped.Load() {
		p.woken.Store(true)
		glfw.PostEmptyEvent()
	}
}
