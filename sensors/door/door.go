// Package door counts people through a doorway with two infrared break
// beams a few centimetres apart: outer (street side) and inner (room side).
// A body breaking the outer beam first and clearing the inner beam last is an
// entry; the reverse is an exit.
//
// # The physics it relies on
//
// The beams are G apart along the way through the door (6 cm by default;
// sensors/WIRING.md says how to mount them). A body of depth D at beam
// height (14 cm for a child, 20-36 cm for an adult's hips, more with a bag
// or a stroller) walking at v (0.5 m/s for an elderly visitor or a
// wheelchair, 1.3 m/s for a brisk adult, 2 m/s for a running child) covers
// each beam for D/v (70 ms to 0.7 s) and reaches the second beam G/v after
// the first (30-120 ms); at any walking speed both beams are covered
// together for most of the crossing. What cuts light into that picture is
// short: a bag or a hand hanging off the body with 0.5-4 cm of air between
// them gives 5-80 ms of light on one beam (up to 100 ms at 0.5 m/s with the
// surge of a wheelchair push), then on the other; sunlight or a reflection
// reaching a receiver gives 20-60 ms; contact bounce and wiring spikes last
// a few ms. Two people walking one behind the other leave more: at 0.3 s
// apart, 40 cm at 1.3 m/s.
//
// # How it counts
//
// Each beam is debounced (Opts.Debounce, 20 ms): a beam state is accepted
// once the raw signal has held it for the whole window, and is dated at the
// raw edge that began that stable run, so contact bounce and wiring spikes
// shorter than the window never reach the counter. (A glitch in a state's
// first 20 ms restarts the run, so it can date the state up to a window
// late; the judging below allows for it.)
//
// The counter works on bursts: a burst starts when either beam is broken and
// ends once both have read clear for Opts.BodyGap (100 ms): light shorter
// than that, through a bag's gap or a sunlight dropout while the other beam
// is just being blocked or has just cleared, does not end a crossing. During
// a burst it records each beam's blocked intervals. At its end, each beam's
// intervals separated by less than BodyGap are joined (light through one
// body), and then:
//
//   - if both beams have the same number (two or more) of intervals and
//     each pair (first with first, second with second, …) looks like one
//     body moving through — the outer interval starts and ends before its
//     inner partner, or the other way round, by offsets that agree within a
//     factor of two — each pair is one person, dated when it cleared: this
//     is how people so close behind each other that the doorway is never
//     clear for BodyGap are all counted, as long as each beam saw light
//     between them for BodyGap;
//   - otherwise a quadrature count over the joined intervals decides, the
//     way a rotary encoder is read: each step round the cycle clear → outer
//     → both → inner → clear counts +1, each step back −1, so a full
//     walk-through is +4 and a visitor who steps in and backs out, or turns
//     round in the beams, returns to 0: net/4 entries (or exits). A visitor
//     who hesitates, steps back and goes on nets out too;
//   - and a burst that nets to zero with one interval on each beam is looked at
//     once more, because the debounce can cut a beam's first or last stretch
//     short (light in its first or last 20 ms leaves a raw piece too short
//     to be accepted): each beam's start and end are taken back to its raw
//     first block and raw last clear if they are within BodyGap (raw pieces
//     shorter than a quarter of the window are taken for spikes), and
//     starts in one order with ends in the other are still a crossing when
//     one of the two is out of order by less than the debounce window: no
//     one backs out across 6 cm that fast (3 m/s).
//
// Events are dated when the body cleared the beams and sent once the burst
// has ended, BodyGap plus the debounce window after that.
//
// Someone standing in the doorway (reading a sign, waiting for a friend)
// keeps the burst open: when they walk on, they are counted. A burst that
// makes no progress for Opts.Timeout (by default StuckAfter, 60 s) is given
// up, and so is one whose beam is reported stuck: nothing is counted for it,
// and counting resumes at the next burst. A beam blocked for
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
// the beams see light between them for less than BodyGap (under 100 ms:
// 13 cm at 1.3 m/s, people touching), break and clear the beams as one body
// with a bag's gap in it: they count as one. If only one beam sees light
// between two people, they count as one too, because a swinging arm gives
// the same pattern. Light through a body for longer than BodyGap on both
// beams in turn (a stroller's canopy well ahead of its pusher, a very slow
// body with a wide gap) counts as two, or as one when the two parts do not
// look like bodies walking through; for longer than BodyGap on one beam
// only, as one. A person carrying a child, or pushing a stroller, counts as
// one. A crossing shorter than the debounce
// window on a beam (running through at more than body-depth/window, 7 m/s
// for 14 cm) is dropped. Two people crossing in opposite directions at the
// same moment through one doorway give a pattern no counter can read; the
// quadrature count then nets them to zero. Measured with the simulator's
// physical model (sensors/sim, GeneratePhysical): single-file traffic with
// bags, stops, balks and noise counts 99.8% right, groups at 0.3-2 s 99.8%;
// groups at 60-300 ms 84%, people touching (under 60 ms) 33%.
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
	"slices"
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

// DefaultBodyGap is Opts.BodyGap's default: the longest light seen through
// one body at the slowest walking speeds (see the package doc).
const DefaultBodyGap = 100 * time.Millisecond

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
	// BodyGap is the longest a beam may see light inside one body and still
	// see one body: a gap by a bag or a hand, a sunlight dropout (default
	// 100 ms). The doorway must read clear this long to end a crossing.
	BodyGap time.Duration
	// Timeout gives up a crossing that makes no progress (default
	// StuckAfter, or 60 s if that is disabled).
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
	if o.BodyGap <= 0 {
		o.BodyGap = DefaultBodyGap
	}
	if o.StuckAfter == 0 {
		o.StuckAfter = 60 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
		if o.StuckAfter > 0 {
			o.Timeout = o.StuckAfter
		}
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
	settling  bool      // the doorway reads clear; the burst ends at clearAt+BodyGap
	clearAt   time.Time // when it began to read clear
	lastMove  time.Time
	quad      int // quadrature steps this burst
	state     int // bit 0: outer blocked, bit 1: inner blocked
	ivals     [2][]interval
	overflow  bool

	// The raw signal, before debouncing: its level, its latest change to
	// clear, and the start of its latest run of blocks (a block after at
	// least BodyGap of raw light). firstRaw is that start for each beam's
	// first interval of the burst.
	raw       [2]bool
	rawClear  [2]time.Time
	rawBlock  [2]time.Time // the latest raw change to blocked
	rawRun    [2]time.Time
	rawRunEnd [2]time.Time // the end of the run's first piece
	firstRaw  [2]time.Time
}

// spike is the longest raw piece taken for a wiring spike rather than a
// body: a piece this short does not move a crossing's start or end.
func (m *Machine) spike() time.Duration { return m.opts.Debounce / 4 }

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
		m.raw[i] = active[i]
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
	if active != m.raw[i] {
		m.raw[i] = active
		switch {
		case !active:
			m.rawClear[i] = t
			if !m.rawRunEnd[i].After(m.rawRun[i]) {
				m.rawRunEnd[i] = t
			}
		case m.rawClear[i].IsZero() || t.Sub(m.rawClear[i]) >= m.opts.BodyGap:
			m.rawRun[i] = t
			fallthrough
		default:
			m.rawBlock[i] = t
		}
	}
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
	if m.inBurst && !m.abandoned && !m.settling {
		consider(m.lastMove.Add(m.opts.Timeout), true)
	}
	if m.inBurst && m.settling {
		consider(m.settled(), true)
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
		// The timeout, or the end of a burst, may fall before this
		// change was accepted.
		dated := at.Add(-m.opts.Debounce)
		m.checkTimeout(dated)
		m.close(dated, emit)
		changed, t := m.beams[b].Advance(now)
		if changed {
			m.beamChanged(b, t, m.beams[b].Level(), emit)
		}
	}
	m.checkTimeout(now)
	// Every change dated before now-Debounce has been accepted by now.
	m.close(now.Add(-m.opts.Debounce), emit)
	for i := range m.noise {
		m.noisy(i, now, emit)(m.noise[i].Advance(now))
	}
	for i := range m.stuck {
		if tripped, held := m.stuck[i].Advance(now); tripped {
			emit(sensors.Event{Time: now, Sensor: m.opts.Name, Kind: sensors.Fault,
				Detail: fmt.Sprintf("%s beam blocked for %s: something is in the doorway, or the beam is misaligned or unpowered", beamName[i], held.Round(time.Second))})
			// Whatever stands in the beam is not a crossing.
			m.abandoned = m.abandoned || m.inBurst
		}
	}
}

func (m *Machine) checkTimeout(now time.Time) {
	if m.inBurst && !m.abandoned && !m.settling && !now.Before(m.lastMove.Add(m.opts.Timeout)) {
		m.abandoned = true
	}
}

// settled is when a burst whose doorway reads clear ends: BodyGap after it
// began to read clear, plus the debounce window in which a block dated
// before that may still be accepted.
func (m *Machine) settled() time.Time {
	return m.clearAt.Add(m.opts.BodyGap + m.opts.Debounce)
}

// close ends the burst if the doorway has read clear for BodyGap by upTo,
// a time up to which every beam change has been accepted, and counts it.
func (m *Machine) close(upTo time.Time, emit func(sensors.Event)) {
	if !m.inBurst || !m.settling || upTo.Before(m.clearAt.Add(m.opts.BodyGap)) {
		return
	}
	m.inBurst, m.settling = false, false
	if m.abandoned {
		return
	}
	for _, e := range m.judge() {
		e.Sensor = m.opts.Name
		emit(e)
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
	switch {
	case prev == 0 && m.state != 0 && m.inBurst:
		// Light for less than BodyGap: the same burst goes on.
		m.settling = false
	case prev == 0 && m.state != 0:
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
		if len(iv) == 0 {
			m.firstRaw[b] = t
			r, e := m.rawRun[b], m.rawRunEnd[b]
			if r.Before(t) && t.Sub(r) <= m.opts.BodyGap+m.opts.Debounce && (!e.After(r) || e.Sub(r) >= m.spike()) {
				m.firstRaw[b] = r
			}
		}
		if len(iv) >= m.opts.MaxIntervals {
			m.overflow = true
		} else {
			m.ivals[b] = append(iv, interval{start: t, open: true})
		}
	} else if n := len(iv); n > 0 && iv[n-1].open {
		iv[n-1].end, iv[n-1].open = t, false
	}
	if m.state == 0 {
		m.settling, m.clearAt = true, t
	}
}

// judge decides a finished burst: its door events, each dated when its
// body cleared the beams.
func (m *Machine) judge() []sensors.Event {
	if m.overflow {
		return m.fromQuad(m.quad)
	}
	o, in := join(m.ivals[Outer], m.opts.BodyGap), join(m.ivals[Inner], m.opts.BodyGap)
	if len(o) == len(in) && len(o) > 1 {
		var out []sensors.Event
		for k := range o {
			switch {
			case rigid(o[k], in[k]):
				out = append(out, sensors.Event{Time: in[k].end, Kind: sensors.DoorEntry})
			case rigid(in[k], o[k]):
				out = append(out, sensors.Event{Time: o[k].end, Kind: sensors.DoorExit})
			default:
				return m.fromQuad(quadrature(o, in))
			}
		}
		return out
	}
	if q := quadrature(o, in); q != 0 || len(o) == 0 || len(in) == 0 {
		return m.fromQuad(q)
	}
	// Nothing crossed by the debounced beams, but a beam's first or last
	// stretch may have been cut short: light in a body's first or last
	// 20 ms (sunlight, a bag) leaves a raw piece too short to pass the
	// debounce, which moves that beam's start later or its end earlier,
	// past the other beam's. Judge again with each beam's raw first block
	// and raw last clear, if they are within BodyGap.
	o, in = slices.Clone(o), slices.Clone(in)
	for b, iv := range [2][]interval{o, in} {
		iv[0].start = m.firstRaw[b]
		last := &iv[len(iv)-1]
		if c := m.rawClear[b]; c.After(last.end) && c.Sub(last.end) <= m.opts.BodyGap && c.Sub(m.rawBlock[b]) >= m.spike() {
			last.end = c
		}
	}
	if q := quadrature(o, in); q != 0 || len(o) != 1 || len(in) != 1 {
		return m.fromQuad(q)
	}
	// One body on each beam, its starts in one order and its ends in the
	// other: a balk, unless one of the two is out of order by less than
	// the debounce window. A body backing out takes G/v to cross the
	// beams, 30 ms for 6 cm even at a run (2 m/s); a hand swinging back
	// past the outer beam as the body leaves, or a dropout at the end of
	// the inner beam's occlusion, misplaces an end by less.
	ds, de := in[0].start.Sub(o[0].start), in[0].end.Sub(o[0].end)
	near := func(d time.Duration) bool { return d > -m.opts.Debounce && d < m.opts.Debounce }
	switch {
	case ds > 0 && de <= 0 && near(de), de > 0 && ds <= 0 && near(ds):
		return m.fromQuad(4)
	case ds < 0 && de >= 0 && near(de), de < 0 && ds >= 0 && near(ds):
		return m.fromQuad(-4)
	}
	return nil
}

// fromQuad turns a quadrature count into events dated at the burst's end.
func (m *Machine) fromQuad(q int) []sensors.Event {
	kind := sensors.DoorEntry
	if q < 0 {
		kind, q = sensors.DoorExit, -q
	}
	out := make([]sensors.Event, q/4)
	for k := range out {
		out[k] = sensors.Event{Time: m.clearAt, Kind: kind}
	}
	return out
}

// join merges a beam's intervals separated by less than gap: light seen
// through one body.
func join(iv []interval, gap time.Duration) []interval {
	var out []interval
	for _, x := range iv {
		if n := len(out); n > 0 && x.start.Sub(out[n-1].end) < gap {
			out[n-1].end = x.end
			continue
		}
		out = append(out, x)
	}
	return out
}

// quadrature counts the steps round the beam cycle of the two beams'
// intervals taken together.
func quadrature(o, in []interval) int {
	type change struct {
		t       time.Time
		beam    int
		blocked bool
	}
	var cs []change
	for b, iv := range [2][]interval{o, in} {
		for _, x := range iv {
			cs = append(cs, change{x.start, b, true}, change{x.end, b, false})
		}
	}
	slices.SortStableFunc(cs, func(a, b change) int { return a.t.Compare(b.t) })
	q, state := 0, 0
	for _, c := range cs {
		prev := state
		if c.blocked {
			state |= 1 << c.beam
		} else {
			state &^= 1 << c.beam
		}
		switch (cyclePos[state] - cyclePos[prev] + 4) % 4 {
		case 1:
			q++
		case 3:
			q--
		}
	}
	return q
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
