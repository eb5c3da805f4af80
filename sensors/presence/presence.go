// Package presence turns a passive infrared motion sensor into presence:
// sensors.PresenceStart on the first motion, sensors.PresenceEnd once there
// has been no motion for a hold time.
//
// The driver is written for HC-SR501-class modules
// (https://www.mpja.com/download/31227sc.pdf). Their output is a 3.3 V
// push-pull signal, high while they see motion. They keep it high for their
// own hold time Tx (5 s to 200 s, set with a potentiometer), retriggered by
// further motion in "H" (repeat) mode; after it drops they are blind for
// about 2.5 s, ignoring any motion. In "L" (single) mode the output drops
// after Tx even while motion goes on, then comes back after the blind time.
// So a low output does not mean nobody is there: the hold time here starts
// when the output drops and is never shorter than the blind time plus a
// margin (Opts.Blind), so the blind gap and single-mode gaps are bridged.
// Turn the module's own Tx to its minimum and set the hold here; the
// presence then ends Hold after the last motion the module reported.
//
// The module also needs about a minute after power-on to settle, during
// which it may fire; those starts are harmless (the kiosk wakes once).
package presence

import (
	"context"
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/internal/debounce"
	"github.com/wufang-kiosk/wufang/sensors/internal/run"
)

// Name is the default sensor name.
const Name = "presence"

// Opts configures a Sensor. Zero fields take the defaults.
type Opts struct {
	Clock clock.Clock // nil: clock.Real{}
	Name  string      // default "presence"
	// ActiveLow is true for modules whose output goes low on motion.
	ActiveLow bool
	// Pull for the input (default gpio.PullDown: the output is push-pull,
	// the pull only keeps an unplugged input quiet).
	Pull gpio.Pull
	// Hold is how long presence lasts after the output drops (default 30 s).
	Hold time.Duration
	// Blind is the module's blind time after its output drops (default
	// 2.5 s); the effective hold is at least Blind + 1 s.
	Blind time.Duration
	// Debounce filters spikes on the line (default 20 ms).
	Debounce time.Duration
}

func (o *Opts) defaults() {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Name == "" {
		o.Name = Name
	}
	if o.Pull == gpio.PullNoChange {
		o.Pull = gpio.PullDown
		if o.ActiveLow {
			o.Pull = gpio.PullUp
		}
	}
	if o.Hold <= 0 {
		o.Hold = 30 * time.Second
	}
	if o.Blind <= 0 {
		o.Blind = 2500 * time.Millisecond
	}
	if o.Hold < o.Blind+time.Second {
		o.Hold = o.Blind + time.Second
	}
	if o.Debounce <= 0 {
		o.Debounce = 20 * time.Millisecond
	}
}

// Sensor is a PIR presence sensor.
type Sensor struct {
	in   []run.Input
	opts Opts
}

// New returns a presence sensor on pin and sets the pin up as an input with
// edge detection.
func New(pin gpio.PinIn, opts *Opts) (*Sensor, error) {
	if pin == nil {
		return nil, errors.New("presence: no pin")
	}
	s := &Sensor{}
	if opts != nil {
		s.opts = *opts
	}
	s.opts.defaults()
	s.in = []run.Input{{Pin: pin, Pull: s.opts.Pull, ActiveLow: s.opts.ActiveLow}}
	if err := run.Configure(s.in); err != nil {
		return nil, fmt.Errorf("presence: %w", err)
	}
	return s, nil
}

// Run reports presence until ctx ends. It returns nil after a clean stop.
func (s *Sensor) Run(ctx context.Context, out chan<- sensors.Event) error {
	if err := run.Run(ctx, s.opts.Clock, s.in, NewMachine(s.opts), out); err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	return nil
}

// Machine is the presence logic without a pin.
type Machine struct {
	opts    Opts
	f       debounce.Filter
	present bool
	endAt   time.Time // when presence ends if the output stays low
	ending  bool
}

// NewMachine returns the presence logic; opts defaults as in New.
func NewMachine(opts Opts) *Machine {
	opts.defaults()
	return &Machine{opts: opts, f: debounce.Filter{Window: opts.Debounce}}
}

// Hold returns the effective hold time.
func (m *Machine) Hold() time.Duration { return m.opts.Hold }

// Init implements run.Machine: motion at start is a presence.
func (m *Machine) Init(now time.Time, active []bool, emit func(sensors.Event)) {
	m.f.Reset(active[0])
	if active[0] {
		m.present = true
		emit(sensors.Event{Time: now, Sensor: m.opts.Name, Kind: sensors.PresenceStart})
	}
}

// Edge implements run.Machine.
func (m *Machine) Edge(_ int, t time.Time, active bool, _ func(sensors.Event)) {
	m.f.Edge(t, active)
}

// Next implements run.Machine.
func (m *Machine) Next() (time.Time, bool) {
	d, ok := m.f.Due()
	if m.ending && !m.returning() && (!ok || m.endAt.Before(d)) {
		return m.endAt, true
	}
	return d, ok
}

// returning reports whether motion began before the end time: the end then
// waits for the filter to decide.
func (m *Machine) returning() bool {
	since, ok := m.f.Pending()
	return ok && !since.After(m.endAt)
}

// Advance implements run.Machine.
func (m *Machine) Advance(now time.Time, emit func(sensors.Event)) {
	for {
		if m.ending && !m.endAt.After(now) && !m.returning() {
			m.ending, m.present = false, false
			emit(sensors.Event{Time: m.endAt, Sensor: m.opts.Name, Kind: sensors.PresenceEnd})
			continue
		}
		changed, t := m.f.Advance(now)
		if !changed {
			return
		}
		if m.f.Level() {
			m.ending = false
			if !m.present {
				m.present = true
				emit(sensors.Event{Time: t, Sensor: m.opts.Name, Kind: sensors.PresenceStart})
			}
		} else if m.present {
			m.ending, m.endAt = true, t.Add(m.opts.Hold)
		}
	}
}
