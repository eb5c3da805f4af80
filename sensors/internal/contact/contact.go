// Package contact is the logic shared by buttons and touch pads: a debounced
// input that reports when it becomes active, optionally when it has been held
// long, and a fault when it is held far too long.
package contact

import (
	"fmt"
	"time"

	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/health"
	"github.com/wufang-kiosk/wufang/sensors/internal/debounce"
)

// Opts configures a Machine; all fields are required (callers default them).
type Opts struct {
	Name      string
	Press     sensors.Kind  // kind emitted when the input becomes active
	Long      sensors.Kind  // kind emitted when held for LongPress
	LongPress time.Duration // 0: no long press
	Debounce  time.Duration
	// StuckAfter: held this long is a fault (0: never).
	StuckAfter time.Duration
	// NoiseLimit: raw edges per second that, sustained, are a fault (0: off).
	NoiseLimit int
	// What names the part in fault texts ("button", "touch pad").
	What string
}

// Machine is a debounced contact.
type Machine struct {
	opts    Opts
	f       debounce.Filter
	stuck   health.Stuck
	noise   health.Noise
	held    bool
	since   time.Time
	longDue bool
}

// New returns a contact machine.
func New(opts Opts) *Machine {
	return &Machine{opts: opts, f: debounce.Filter{Window: opts.Debounce},
		stuck: health.Stuck{After: opts.StuckAfter}, noise: health.Noise{Limit: opts.NoiseLimit}}
}

// Init implements run.Machine. A contact active at start is not a press, but
// it counts towards being stuck.
func (m *Machine) Init(now time.Time, active []bool, _ func(sensors.Event)) {
	m.f.Reset(active[0])
	m.held = active[0]
	m.since = now
	m.stuck.Set(now, active[0])
}

// Edge implements run.Machine.
func (m *Machine) Edge(_ int, t time.Time, active bool, emit func(sensors.Event)) {
	m.f.Edge(t, active)
	m.noisy(t, emit)(m.noise.Edge(t))
}

func (m *Machine) noisy(t time.Time, emit func(sensors.Event)) func(bool, bool, int) {
	return func(tripped, recovered bool, rate int) {
		if tripped {
			emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.Fault, Detail: health.NoiseDetail(m.opts.What, rate)})
		}
		if recovered {
			emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.OK, Detail: m.opts.What + " quiet again"})
		}
	}
}

// Next implements run.Machine.
func (m *Machine) Next() (time.Time, bool) {
	next, ok := m.f.Due()
	consider := func(t time.Time, has bool) {
		if has && (!ok || t.Before(next)) {
			next, ok = t, true
		}
	}
	if m.longDue && !m.releasing() {
		consider(m.since.Add(m.opts.LongPress), true)
	}
	consider(m.stuck.Due())
	consider(m.noise.Due())
	return next, ok
}

// releasing reports whether a release began before the long-press time: the
// long press then waits for the filter to decide.
func (m *Machine) releasing() bool {
	since, ok := m.f.Pending()
	return ok && !since.After(m.since.Add(m.opts.LongPress))
}

// Advance implements run.Machine.
func (m *Machine) Advance(now time.Time, emit func(sensors.Event)) {
	for {
		if m.longDue && !m.releasing() {
			at := m.since.Add(m.opts.LongPress)
			if !at.After(now) {
				m.longDue = false
				emit(sensors.Event{Time: at, Sensor: m.opts.Name, Kind: m.opts.Long})
				continue
			}
		}
		changed, t := m.f.Advance(now)
		if !changed {
			break
		}
		m.held = m.f.Level()
		m.since = t
		if m.stuck.Set(t, m.held) {
			emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.OK, Detail: m.opts.What + " released"})
		}
		if m.held {
			m.longDue = m.opts.LongPress > 0
			emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: m.opts.Press})
		} else {
			m.longDue = false
		}
	}
	m.noisy(now, emit)(m.noise.Advance(now))
	if tripped, held := m.stuck.Advance(now); tripped {
		emit(sensors.Event{Time: now, Sensor: m.opts.Name, Kind: sensors.Fault,
			Detail: fmt.Sprintf("%s held for %s: jammed, shorted or wired with the wrong active level", m.opts.What, held.Round(time.Second))})
	}
}
