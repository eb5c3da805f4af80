// Package door counts people through a doorway with two infrared break
// beams a few centimetres apart: outer (street side) and inner (room side).
// A body breaking the outer beam first and clearing the inner beam last is an
// entry; the reverse is an exit.
//
// # How it counts
//
// Each beam is debounced (Opts.Debounce): a beam state is accepted once the
// raw signal has held it for the whole window, and is dated at the raw edge
// that began it, so contact bounce and wiring spikes shorter than the window
// never reach the counter and the order of the two beams is kept.
//
// The counter works on bursts: a burst starts when either beam is broken and
// ends when both are clear again. During a burst it records each beam's
// blocked intervals and a quadrature count, the way a rotary encoder is
// read: each step round the cycle clear → outer → both → inner → clear counts
// +1, each step back −1, so a full walk-through is +4 and a visitor who steps
// in and backs out returns to 0. At the end of the burst:
//
//   - if both beams saw the same number (two or more) of blocked intervals
//     and each pair (first with first, second with second, …) looks like
//     one body moving through — the outer interval starts and ends before
//     its inner partner, or the other way round, by offsets that agree
//     within a factor of two — each pair is one person: this is how two
//     people so close behind each other that the doorway never clears are
//     both counted, as long as each beam saw light between them;
//   - otherwise the quadrature count decides: net/4 entries (or exits). A
//     visitor who hesitates, steps back and goes on, or a swinging bag that
//     breaks a beam twice, nets out.
//
// A burst that makes no progress for Opts.Timeout (someone standing in the
// doorway, a crossing that never completes) is abandoned: nothing is counted
// for it, and counting resumes at the next burst. A beam blocked for
// Opts.StuckAfter emits a sensors.Fault for "door" (an object in the doorway,
// a misaligned or dead emitter) and sensors.OK once it clears. A beam whose
// raw signal changes more than Opts.NoiseLimit times a second for 3 s (a
// floating input, a bad cable, flickering light on the receiver) emits a
// sensors.Fault too, and sensors.OK after 10 quiet seconds; the debounce
// keeps such noise from being counted either way.
//
// # What two beams cannot tell
//
// Two beams see a body's front and back edges, not how many bodies there
// are. Two people walking side by side, or so close behind each other that
// the outer beam never sees light between them, break and clear the beams
// as one wide body: they count as one. If only one beam sees light between
// two people, they count as one too, because a swinging arm breaking one
// beam's light gives the same pattern. A gap that passes both beams in turn
// (two short bodies, or one body with a hole right through it at beam
// height) counts as two. A person carrying a child counts as one. A visitor who stands in the doorway longer than Opts.Timeout and then
// walks on is not counted. A crossing shorter than the debounce window on a
// beam (running through at more than beam-width/window) is dropped. Two
// people crossing in opposite directions at the same moment through one
// doorway give a pattern no counter can read; the quadrature count then nets
// them to zero.
//
// Break-beam receivers such as the Adafruit 3 mm/5 mm IR sensors have an
// open-collector output that reads high (through the pull-up) when the beam
// is broken: Opts.ActiveLow false, pull-up on. See
// https://learn.adafruit.com/ir-breakbeam-sensors.
package door

import (
	"context"
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/health"
	"github.com/wufang-kiosk/wufang/sensors/internal/debounce"
	"github.com/wufang-kiosk/wufang/sensors/internal/run"
)

// Name is the sensor name door events carry.
const Name = "door"

// Opts configures a Counter. Zero fields take the defaults.
type Opts struct {
	Clock clock.Clock // nil: clock.Real{}
	// Name is the sensor name in events (default "door").
	Name string
	// ActiveLow is true when a broken beam reads low.
	ActiveLow bool
	// Pull for both beam inputs (default gpio.PullUp, for open-collector
	// receivers).
	Pull gpio.Pull
	// Debounce is how long a beam must hold a state (default 20 ms).
	Debounce time.Duration
	// Timeout abandons a burst that makes no progress (default 10 s).
	Timeout time.Duration
	// StuckAfter is how long a beam may stay blocked before it is a fault
	// (default 60 s; negative disables).
	StuckAfter time.Duration
	// NoiseLimit is the raw edges per second that, sustained for 3 s, make
	// a beam a noisy-wiring fault (default 250; negative disables).
	NoiseLimit int
	// MaxIntervals bounds the intervals kept per burst; past it only the
	// quadrature count is used (default 64).
	MaxIntervals int
}

// Counter is a two-beam door counter.
type Counter struct {
	in   []run.Input
	opts Opts
}

// New returns a counter on the outer and inner beam inputs and sets them up
// as inputs with edge detection.
func New(outer, inner gpio.PinIn, opts *Opts) (*Counter, error) {
	if outer == nil || inner == nil {
		return nil, errors.New("door: both beam pins are needed")
	}
	c := &Counter{}
	if opts != nil {
		c.opts = *opts
	}
	c.opts.defaults()
	c.in = []run.Input{
		{Pin: outer, Pull: c.opts.Pull, ActiveLow: c.opts.ActiveLow},
		{Pin: inner, Pull: c.opts.Pull, ActiveLow: c.opts.ActiveLow},
	}
	if err := run.Configure(c.in); err != nil {
		return nil, fmt.Errorf("door: %w", err)
	}
	return c, nil
}

func (o *Opts) defaults() {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Name == "" {
		o.Name = Name
	}
	if o.Pull == gpio.PullNoChange {
		o.Pull = gpio.PullUp
	}
	if o.Debounce <= 0 {
		o.Debounce = 20 * time.Millisecond
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.StuckAfter == 0 {
		o.StuckAfter = 60 * time.Second
	}
	if o.NoiseLimit == 0 {
		o.NoiseLimit = 250
	}
	if o.MaxIntervals <= 0 {
		o.MaxIntervals = 64
	}
}

// Run counts until ctx ends, sending door.entry, door.exit, sensor.fault and
// sensor.ok events on out. It returns nil after a clean stop.
func (c *Counter) Run(ctx context.Context, out chan<- sensors.Event) error {
	if err := run.Run(ctx, c.opts.Clock, c.in, NewMachine(c.opts), out); err != nil {
		return fmt.Errorf("door: %w", err)
	}
	return nil
}

// Beam indexes.
const (
	Outer = 0
	Inner = 1
)

var beamName = [2]string{"outer", "inner"}

type interval struct {
	start, end time.Time
	open       bool
}

// Machine is the counter's logic without pins: feed it timestamped raw
// edges and deadlines. Run uses it; tests and the simulator's replay may
// drive it directly.
type Machine struct {
	opts  Opts
	beams [2]debounce.Filter
	stuck [2]health.Stuck
	noise [2]health.Noise

	inBurst   bool
	abandoned bool
	lastMove  time.Time
	quad      int // quadrature steps this burst
	state     int // bit 0: outer blocked, bit 1: inner blocked
	ivals     [2][]interval
	overflow  bool
}

// NewMachine returns the counter logic; opts defaults as in New.
func NewMachine(opts Opts) *Machine {
	opts.defaults()
	m := &Machine{opts: opts}
	for i := range m.beams {
		m.beams[i].Window = opts.Debounce
		if opts.StuckAfter > 0 {
			m.stuck[i].After = opts.StuckAfter
		}
		m.noise[i].Limit = max(opts.NoiseLimit, 0)
	}
	return m
}

// Init implements run.Machine. A beam blocked at start begins an abandoned
// burst: nobody is counted until the doorway has been clear.
func (m *Machine) Init(now time.Time, active []bool, emit func(sensors.Event)) {
	for i := range m.beams {
		m.beams[i].Reset(active[i])
		m.stuck[i].Set(now, active[i])
		if active[i] {
			m.state |= 1 << i
		}
	}
	if m.state != 0 {
		m.inBurst, m.abandoned = true, true
		m.lastMove = now
	}
}

// Edge implements run.Machine.
func (m *Machine) Edge(i int, t time.Time, active bool, emit func(sensors.Event)) {
	m.beams[i].Edge(t, active)
	m.noisy(i, t, emit)(m.noise[i].Edge(t))
}

// noisy returns the reporter of beam i's noise check.
func (m *Machine) noisy(i int, t time.Time, emit func(sensors.Event)) func(bool, bool, int) {
	return func(tripped, recovered bool, rate int) {
		if tripped {
			emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.Fault, Detail: health.NoiseDetail(beamName[i]+" beam", rate)})
		}
		if recovered {
			emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.OK, Detail: beamName[i] + " beam quiet again"})
		}
	}
}

// Next implements run.Machine.
func (m *Machine) Next() (time.Time, bool) {
	var next time.Time
	have := false
	consider := func(t time.Time, ok bool) {
		if ok && (!have || t.Before(next)) {
			next, have = t, true
		}
	}
	for i := range m.beams {
		consider(m.beams[i].Due())
		consider(m.stuck[i].Due())
		consider(m.noise[i].Due())
	}
	if m.inBurst && !m.abandoned {
		consider(m.lastMove.Add(m.opts.Timeout), true)
	}
	return next, have
}

// Advance implements run.Machine: it accepts debounced beam changes in the
// order they happened, then checks the timeout and the stuck beams.
func (m *Machine) Advance(now time.Time, emit func(sensors.Event)) {
	for {
		// The earliest pending beam change first, so the beams' order is
		// kept even when both are accepted in one call.
		b, at := -1, time.Time{}
		for i := range m.beams {
			if d, ok := m.beams[i].Due(); ok && !d.After(now) && (b < 0 || d.Before(at)) {
				b, at = i, d
			}
		}
		if b < 0 {
			break
		}
		// The timeout may fall before this change was accepted.
		m.checkTimeout(at.Add(-m.opts.Debounce))
		changed, t := m.beams[b].Advance(now)
		if changed {
			m.beamChanged(b, t, m.beams[b].Level(), emit)
		}
	}
	m.checkTimeout(now)
	for i := range m.noise {
		m.noisy(i, now, emit)(m.noise[i].Advance(now))
	}
	for i := range m.stuck {
		if tripped, held := m.stuck[i].Advance(now); tripped {
			emit(sensors.Event{Time: now, Sensor: m.opts.Name, Kind: sensors.Fault,
				Detail: fmt.Sprintf("%s beam blocked for %s: something is in the doorway, or the beam is misaligned or unpowered", beamName[i], held.Round(time.Second))})
		}
	}
}

func (m *Machine) checkTimeout(now time.Time) {
	if m.inBurst && !m.abandoned && !now.Before(m.lastMove.Add(m.opts.Timeout)) {
		m.abandoned = true
	}
}

// cyclePos places each beam state on the quadrature cycle: 0 (clear) → 1 (outer) → 3 (both) → 2 (inner) → 0.
var cyclePos = [4]int{0, 1, 3, 2}

func (m *Machine) beamChanged(b int, t time.Time, blocked bool, emit func(sensors.Event)) {
	if m.stuck[b].Set(t, blocked) {
		emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.OK, Detail: beamName[b] + " beam clear again"})
	}
	prev := m.state
	if blocked {
		m.state |= 1 << b
	} else {
		m.state &^= 1 << b
	}
	if prev == 0 && m.state != 0 {
		m.inBurst, m.abandoned, m.overflow = true, false, false
		m.quad = 0
		m.ivals[0], m.ivals[1] = m.ivals[0][:0], m.ivals[1][:0]
	}
	m.lastMove = t
	if !m.inBurst {
		return
	}
	step := (cyclePos[m.state] - cyclePos[prev] + 4) % 4
	switch step {
	case 1:
		m.quad++
	case 3:
		m.quad--
	}
	iv := m.ivals[b]
	if blocked {
		if len(iv) >= m.opts.MaxIntervals {
			m.overflow = true
		} else {
			m.ivals[b] = append(iv, interval{start: t, open: true})
		}
	} else if n := len(iv); n > 0 && iv[n-1].open {
		iv[n-1].end, iv[n-1].open = t, false
	}
	if m.state != 0 {
		return
	}
	m.inBurst = false
	if m.abandoned {
		return
	}
	entries, exits := m.judge()
	for range entries {
		emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.DoorEntry})
	}
	for range exits {
		emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.DoorExit})
	}
}

// judge decides a finished burst.
func (m *Machine) judge() (entries, exits int) {
	o, in := m.ivals[Outer], m.ivals[Inner]
	if !m.overflow && len(o) == len(in) && len(o) > 1 {
		ok := true
		for k := range o {
			switch {
			case rigid(o[k], in[k]):
				entries++
			case rigid(in[k], o[k]):
				exits++
			default:
				ok = false
			}
		}
		if ok {
			return entries, exits
		}
		entries, exits = 0, 0
	}
	if m.quad > 0 {
		return m.quad / 4, 0
	}
	return 0, -m.quad / 4
}

// rigid reports whether intervals a then b look like one body walking
// through beam a and then beam b: b starts after a and ends after a, by
// offsets that agree within a factor of two (a body's front and back
// cross the beam gap at about the same speed). A gap seen through one body
// on both beams at different places fails it; a second person does not.
func rigid(a, b interval) bool {
	ds, de := b.start.Sub(a.start), b.end.Sub(a.end)
	if ds <= 0 || de <= 0 {
		return false
	}
	return ds <= 2*de && de <= 2*ds
}
