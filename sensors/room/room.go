// Package room wires all the sensors of one room — the door counter, the
// presence sensor, the buttons and the touch pads — from one Setup and a set
// of pins, and hands back one event channel and the sensors' health. It is
// what wufang-edge and wufang-kiosk use:
//
//	setup := node.RoomSetup(cfg.Sensors) // or a Setup written out, like Reference()
//	var pins room.Pins
//	if cfg.Sensors.Simulate {
//		s := sim.NewRoom(setup, nil) // drive it: s.Enter(ctx), s.Press(ctx, "a"), s.RunScript(ctx, f)
//		pins = s.Pins()
//	} else if pins, err = hw.Open(setup); err != nil {
//		return err // names the pin and the fix
//	}
//	r, err := room.Start(ctx, setup, pins, &room.Opts{Open: cfg.Kiosk.Schedule().Open})
//	for e := range r.Events() { … } // closed once ctx ends and every device stopped
//	r.Health()                      // per sensor: level, reason, last event
//
// Sensor names in events are "door", "presence", "button.<name>" (a, b, c,
// d, ok, back) and "pad.<name>"; kinds are those of package sensors. Faults
// and recoveries (sensors.Fault, sensors.OK) come on the same channel; a
// Fault whose Detail starts with health.WarningPrefix is a warning.
package room

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/button"
	"github.com/wufang-kiosk/wufang/sensors/door"
	"github.com/wufang-kiosk/wufang/sensors/health"
	"github.com/wufang-kiosk/wufang/sensors/presence"
	"github.com/wufang-kiosk/wufang/sensors/touch"
)

// Setup says which sensors a room has and how they are wired. Pin names are
// those of the board ("GPIO17"); an empty name means the sensor is absent.
type Setup struct {
	Door     Door
	Presence Presence
	// Buttons maps a button name (a, b, c, d, ok, back) to its pin.
	Buttons map[string]string
	// Pads maps a touch pad name to its pin (TTP223-style modules).
	Pads map[string]string
	// ButtonsActiveLow: buttons pull the pin to ground (internal pull-up on).
	ButtonsActiveLow bool
	// PadsActiveLow: touch modules with the "A" jumper closed.
	PadsActiveLow bool
	// Debounce applies to every input (0: 20 ms).
	Debounce time.Duration
	// StuckAfter makes a beam, button or pad held this long a fault
	// (0: 60 s).
	StuckAfter time.Duration
	// LongPress is the buttons' long-press time (0: 1.5 s).
	LongPress time.Duration
}

// Door is the two-beam counter.
type Door struct {
	Outer, Inner string
	// ActiveLow: a broken beam reads low.
	ActiveLow bool
	// Timeout gives up a crossing that makes no progress (0: StuckAfter).
	Timeout time.Duration
}

// Presence is the PIR sensor.
type Presence struct {
	Pin string
	// Hold: presence ends this long after the last motion (0: 30 s).
	Hold time.Duration
	// SilentHours of opening time without motion make a warning (0: off).
	SilentHours int
}

// Reference is the wiring of the reference build (WIRING.md): the door
// beams on GPIO17 and GPIO27, the PIR on GPIO22, six buttons to ground, no
// pads. The device config's defaults describe the same room (edge/node's
// tests check that they agree).
func Reference() Setup {
	return Setup{
		Door:             Door{Outer: "GPIO17", Inner: "GPIO27", Timeout: time.Minute},
		Presence:         Presence{Pin: "GPIO22", Hold: 30 * time.Second, SilentHours: 4},
		Buttons:          map[string]string{"a": "GPIO5", "b": "GPIO6", "c": "GPIO13", "d": "GPIO19", "ok": "GPIO26", "back": "GPIO21"},
		Pads:             map[string]string{},
		ButtonsActiveLow: true,
		Debounce:         20 * time.Millisecond,
		StuckAfter:       time.Minute,
	}
}

// PinNames lists every configured pin as "config key → pin name", sorted by
// key, for hw and error messages. Keys look like "sensors.door.outer".
func (s Setup) PinNames() []PinName {
	var out []PinName
	add := func(key, pin string) {
		if pin != "" {
			out = append(out, PinName{Key: key, Pin: pin})
		}
	}
	add("sensors.door.outer", s.Door.Outer)
	add("sensors.door.inner", s.Door.Inner)
	add("sensors.presence.pin", s.Presence.Pin)
	for _, k := range slices.Sorted(maps.Keys(s.Buttons)) {
		add("sensors.buttons."+k, s.Buttons[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Pads)) {
		add("sensors.pads."+k, s.Pads[k])
	}
	return out
}

// PinName is one configured pin.
type PinName struct {
	Key string // "sensors.buttons.a"
	Pin string // "GPIO5"
}

// Pins are the inputs of a room's sensors, real (hw.Open) or simulated
// (sim.Room.Pins). A nil pin means the sensor is absent.
type Pins struct {
	DoorOuter, DoorInner gpio.PinIn
	Presence             gpio.PinIn
	Buttons              map[string]gpio.PinIn
	Pads                 map[string]gpio.PinIn
}

// Opts configures Start.
type Opts struct {
	Clock  clock.Clock  // nil: clock.Real{}
	Logger *slog.Logger // nil: discard
	// Open reports whether the room is open at t, for the presence silence
	// check (config.Kiosk.Schedule().Open); nil: always open.
	Open func(t time.Time) bool
	// Buffer is the capacity of the Events channel (default 256).
	Buffer int
}

// Room is a running set of sensors.
type Room struct {
	events  chan sensors.Event
	monitor *health.Monitor
	done    chan struct{}
	mu      sync.Mutex
	errs    []error
}

type device interface {
	Run(ctx context.Context, out chan<- sensors.Event) error
}

// Start builds the devices of setup on pins and runs them until ctx ends.
// A configured sensor without a pin is an error; a pin without a configured
// sensor is ignored.
func Start(ctx context.Context, s Setup, p Pins, opts *Opts) (*Room, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Buffer <= 0 {
		o.Buffer = 256
	}
	stuck := s.StuckAfter
	devs := map[string]device{}
	var names []string
	add := func(name string, d device) {
		devs[name] = d
		names = append(names, name)
	}
	if s.Door.Outer != "" || s.Door.Inner != "" {
		d, err := door.New(p.DoorOuter, p.DoorInner, &door.Opts{Clock: o.Clock, ActiveLow: s.Door.ActiveLow,
			Debounce: s.Debounce, Timeout: s.Door.Timeout, StuckAfter: stuck})
		if err != nil {
			return nil, fmt.Errorf("room: %w", err)
		}
		add(door.Name, d)
	}
	if s.Presence.Pin != "" {
		d, err := presence.New(p.Presence, &presence.Opts{Clock: o.Clock, Hold: s.Presence.Hold, Debounce: s.Debounce})
		if err != nil {
			return nil, fmt.Errorf("room: %w", err)
		}
		add(presence.Name, d)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Buttons)) {
		if s.Buttons[k] == "" {
			continue
		}
		d, err := button.New(p.Buttons[k], "button."+k, &button.Opts{Clock: o.Clock, ActiveLow: s.ButtonsActiveLow,
			Debounce: s.Debounce, LongPress: s.LongPress, StuckAfter: stuck})
		if err != nil {
			return nil, fmt.Errorf("room: %w", err)
		}
		add("button."+k, d)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Pads)) {
		if s.Pads[k] == "" {
			continue
		}
		d, err := touch.New(p.Pads[k], touch.Prefix+k, &touch.Opts{Clock: o.Clock, ActiveLow: s.PadsActiveLow,
			Debounce: s.Debounce, StuckAfter: stuck})
		if err != nil {
			return nil, fmt.Errorf("room: %w", err)
		}
		add(touch.Prefix+k, d)
	}
	mopts := &health.MonitorOpts{Clock: o.Clock, Open: o.Open, SilentHours: s.Presence.SilentHours}
	if s.Presence.Pin != "" {
		mopts.Presence = presence.Name
	}
	r := &Room{
		events:  make(chan sensors.Event, o.Buffer),
		monitor: health.NewMonitor(names, mopts),
		done:    make(chan struct{}),
	}
	merged := make(chan sensors.Event, o.Buffer)
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Go(func() {
			if err := devs[name].Run(ctx, merged); err != nil {
				o.Logger.Error("sensor stopped", "sensor", name, "err", err)
				r.mu.Lock()
				r.errs = append(r.errs, err)
				r.mu.Unlock()
				ev := sensors.Event{Time: o.Clock.Now(), Sensor: name, Kind: sensors.Fault, Detail: err.Error()}
				select {
				case merged <- ev:
				case <-ctx.Done():
				}
			}
		})
	}
	r.monitor.Start(func(e sensors.Event) {
		select {
		case merged <- e:
		case <-ctx.Done():
		}
	})
	go func() {
		wg.Wait()
		r.monitor.Stop()
		close(merged)
	}()
	go func() {
		defer close(r.done)
		defer close(r.events)
		for e := range merged {
			if ok, has := r.monitor.Recover(e); has {
				r.forward(ok)
			}
			r.forward(e)
		}
	}()
	return r, nil
}

// forward never drops: a count the devices made reaches the consumer even
// while the room shuts down.
func (r *Room) forward(e sensors.Event) {
	r.monitor.Observe(e)
	r.events <- e
}

// Events returns the room's events. Read it until it is closed, which
// happens once ctx has ended and all devices have stopped; a consumer that
// stops reading holds the devices up (nothing is dropped).
func (r *Room) Events() <-chan sensors.Event { return r.events }

// Health returns every sensor's status, sorted by name.
func (r *Room) Health() []health.Status { return r.monitor.Snapshot() }

// Wait blocks until the room has stopped and returns the errors of devices
// that could not run (for instance a pin that refused edge detection).
func (r *Room) Wait() error {
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}
