package flow

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Defaults for the zero Options.
const (
	DefaultIdleTimeout = 60 * time.Second
	DefaultAwayTimeout = 15 * time.Second
	DefaultCountdown   = 10
	DefaultThanksFor   = 8 * time.Second
	DefaultSlide       = 8 * time.Second
	DefaultQueueSize   = 256
	// HoursCheck is how often the opening hours are looked at.
	HoursCheck = time.Minute
	// RevealAfterMisses: a hotspot step shows its targets after this many misses.
	RevealAfterMisses = 8
	// MaxPath bounds State.Path for scenarios whose graph has cycles.
	MaxPath = 64
)

// ReasonPack is the session.end reason when a new pack replaces the running
// one mid-visit (SetPack).
const ReasonPack = "pack"

// Machine is one kiosk's visit state machine. All methods are safe for
// concurrent use.
type Machine struct {
	mu        sync.Mutex
	pack      *content.Pack
	opts      Options
	clock     Clock
	log       *slog.Logger
	rng       *rand.Rand
	st        State
	listeners []func(State)
	closed    bool

	slide, idle, tick, thanks, hours slot

	lastInput time.Time // last visitor input of the session (idle is measured from it)
	away      bool      // presence.end seen since the last presence.start
	session   uint64    // increments per session (late VisitorToday answers are dropped)

	// per module run
	saved    map[int]stepLocal // step-local state of steps left with Back/Next
	answered map[int]bool      // question steps already scored

	rec *queue

	settle settle
}

type slot struct {
	t   Timer
	gen uint64
}

// New returns a machine on the attract loop (or the closed screen) showing
// p. p must not be changed afterwards; a nil p is an empty pack.
func New(p *content.Pack, opts Options) *Machine {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.AwayTimeout <= 0 {
		opts.AwayTimeout = DefaultAwayTimeout
	}
	if opts.Countdown <= 0 {
		opts.Countdown = DefaultCountdown
	}
	if opts.ThanksFor <= 0 {
		opts.ThanksFor = DefaultThanksFor
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Rand == nil {
		opts.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	m := &Machine{
		pack:  normPack(p),
		opts:  opts,
		clock: opts.Clock,
		log:   opts.Logger,
		rng:   opts.Rand,
	}
	m.rec = newQueue(opts.Recorder, opts.QueueSize, opts.Logger)
	m.mu.Lock()
	m.toAttract()
	m.armHours()
	m.commit(State{Screen: "new"}) // always "changed": computes the button hints
	m.mu.Unlock()
	return m
}

func normPack(p *content.Pack) *content.Pack {
	if p == nil {
		return &content.Pack{}
	}
	return p
}

// Dispatch feeds one input to the machine. It never blocks on the recorder.
func (m *Machine) Dispatch(in Input) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	before := m.st.clone()
	m.guard(func() { m.handle(in) })
	m.notifyUnlock(before)
}

// guard runs f (with m.mu held) and turns a panic into a log entry and a
// fresh attract loop, so a bug can neither crash the kiosk nor leave the
// machine locked or stuck on a broken screen.
func (m *Machine) guard(f func()) {
	defer func() {
		if r := recover(); r != nil {
			m.log.Error("flow: panic, back to the attract loop", "panic", fmt.Sprint(r), "state", fmt.Sprintf("%+v", m.st), "stack", string(debug.Stack()))
			if m.st.InSession {
				m.record(wire.Event{Kind: wire.SessionEnd, Reason: wire.ReasonIdle, Lang: m.st.Lang})
			}
			m.toAttract()
		}
	}()
	f()
}

// State returns a copy of the current state.
func (m *Machine) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.clone()
}

// OnChange adds f to the functions called with the new state after every
// change. f runs outside the machine's lock on the goroutine that caused the
// change: Dispatch's caller, a timer's goroutine, or the recorder worker (for
// VisitorToday). States from different goroutines can arrive out of order;
// compare Seq to keep the newest.
func (m *Machine) OnChange(f func(State)) {
	if f == nil {
		return
	}
	m.mu.Lock()
	m.listeners = append(m.listeners, f)
	m.mu.Unlock()
}

// SetPack makes p live: a running session ends (reason "pack") and the
// kiosk goes back to the attract loop in p's default language.
func (m *Machine) SetPack(p *content.Pack) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	before := m.st.clone()
	if m.st.InSession {
		m.record(wire.Event{Kind: wire.SessionEnd, Reason: ReasonPack, Lang: m.st.Lang})
	}
	m.pack = normPack(p)
	m.st.InSession = false
	m.guard(m.toAttract)
	m.notifyUnlock(before)
}

// Pack returns the live pack (an empty pack if nil was set).
func (m *Machine) Pack() *content.Pack {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pack
}

// Close stops the timers and flushes the recorder queue (waiting a few
// seconds at most for a stuck recorder). Inputs after Close are ignored.
func (m *Machine) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	for _, s := range []*slot{&m.slide, &m.idle, &m.tick, &m.thanks, &m.hours} {
		m.disarm(s)
	}
	m.mu.Unlock()
	m.rec.close()
}

// Flush waits until every event recorded so far has been handed to the
// recorder (or timeout passes) and reports whether it got there.
func (m *Machine) Flush(timeout time.Duration) bool {
	return m.rec.flush(timeout)
}

// RecorderStats returns the recorder queue's counters.
func (m *Machine) RecorderStats() RecorderStats {
	return m.rec.stats()
}

// notifyUnlock finishes a change begun with before := m.st.clone(): it
// bumps Seq if anything changed, unlocks, and calls the listeners.
func (m *Machine) notifyUnlock(before State) {
	changed := m.commit(before)
	var ls []func(State)
	var s State
	if changed {
		ls = slices.Clone(m.listeners)
		s = m.st.clone()
	}
	m.mu.Unlock()
	for _, f := range ls {
		f(s)
	}
}

// commit recomputes the derived fields and reports whether the state differs
// from before (apart from Seq).
func (m *Machine) commit(before State) bool {
	m.st.Buttons = m.hints()
	m.settle.changed(m.st, m.clock.Now(), m.opts.InputGuard)
	if before.equal(m.st) {
		return false
	}
	m.st.Seq++
	return true
}

// --- timers ---

func (m *Machine) arm(s *slot, d time.Duration, f func()) {
	if s.t != nil {
		s.t.Stop()
	}
	s.gen++
	gen := s.gen
	s.t = m.clock.AfterFunc(d, func() { m.fire(s, gen, f) })
}

func (m *Machine) disarm(s *slot) {
	if s.t != nil {
		s.t.Stop()
		s.t = nil
	}
	s.gen++
}

func (m *Machine) fire(s *slot, gen uint64, f func()) {
	m.mu.Lock()
	if m.closed || s.gen != gen {
		m.mu.Unlock()
		return
	}
	s.t = nil
	before := m.st.clone()
	m.guard(f)
	m.notifyUnlock(before)
}

// armSlide shows the attract loop's next page after this one's time: the
// same slide in the pack's next language, or, after the last language,
// the next slide in the first.
func (m *Machine) armSlide() {
	m.disarm(&m.slide)
	n := len(m.pack.Attract)
	if m.st.Screen != Attract || n*max(1, len(m.pack.Languages)) < 2 {
		return
	}
	d := DefaultSlide
	if i := m.st.Slide; i >= 0 && i < n && m.pack.Attract[i].Seconds > 0 {
		d = time.Duration(m.pack.Attract[i].Seconds) * time.Second
	}
	m.arm(&m.slide, d, func() {
		if m.st.Screen != Attract || len(m.pack.Attract) == 0 {
			return
		}
		langs := m.pack.Languages
		if i := slices.Index(langs, m.st.SlideLang); i >= 0 && i+1 < len(langs) {
			m.st.SlideLang = langs[i+1]
		} else {
			m.st.SlideLang = m.defaultLang()
			m.st.Slide = (m.st.Slide + 1) % len(m.pack.Attract)
		}
		m.armSlide()
	})
}

func (m *Machine) armIdle() {
	if !m.st.InSession || m.st.StillThere {
		m.disarm(&m.idle)
		return
	}
	timeout := m.opts.IdleTimeout
	if m.away {
		timeout = min(m.opts.AwayTimeout, timeout)
	}
	d := max(m.lastInput.Add(timeout).Sub(m.clock.Now()), 0)
	m.arm(&m.idle, d, m.onIdle)
}

func (m *Machine) onIdle() {
	if !m.st.InSession || m.st.StillThere {
		return
	}
	m.st.StillThere = true
	m.st.Countdown = m.opts.Countdown
	m.arm(&m.tick, time.Second, m.onTick)
}

func (m *Machine) onTick() {
	if !m.st.StillThere {
		return
	}
	m.st.Countdown--
	if m.st.Countdown > 0 {
		m.arm(&m.tick, time.Second, m.onTick)
		return
	}
	m.endSession(wire.ReasonIdle)
}

func (m *Machine) armHours() {
	if m.opts.IsOpen == nil {
		return
	}
	m.arm(&m.hours, HoursCheck, func() {
		open := m.isOpen()
		switch {
		case m.st.Screen == Attract && !open:
			m.toClosed()
		case m.st.Screen == Closed && open:
			m.toAttract()
		}
		m.armHours()
	})
}

// isOpen asks Options.IsOpen; one that panics counts as open (a kiosk
// that shows its visit by mistake is better than one stuck closed).
func (m *Machine) isOpen() (open bool) {
	if m.opts.IsOpen == nil {
		return true
	}
	defer func() {
		if r := recover(); r != nil {
			m.log.Error("flow: opening hours check panicked", "panic", fmt.Sprint(r))
			open = true
		}
	}()
	return m.opts.IsOpen(m.clock.Now())
}

// --- recording ---

func (m *Machine) record(e wire.Event) {
	e.V = wire.Version
	e.Time = m.clock.Now()
	m.rec.push(job{ev: e, hasEv: true})
}

func (m *Machine) modID() string {
	if mod := m.mod(); mod != nil {
		return mod.ID
	}
	return ""
}
