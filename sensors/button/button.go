// Package button reads a push button, such as the big arcade buttons for
// the answers A–D, OK and back: a debounced sensors.Press as soon as it is
// pressed, and a sensors.LongPress once it has been held for Opts.LongPress.
//
// The press is reported on the way down, one debounce window after the
// contact settles, because a visitor answering a quiz expects the screen to
// react at once. A long press is therefore always preceded by its press: a
// consumer that gives a long press its own meaning (hold back to go home)
// should treat the press as provisional or act on release-less holds only.
//
// Buttons are usually wired between the pin and ground with the internal
// pull-up on: Opts.ActiveLow true (the default pull then is gpio.PullUp). A
// button held for Opts.StuckAfter emits a sensors.Fault (a jammed button, a
// short, or the active level set the wrong way round) and sensors.OK when it
// lets go.
package button

import (
	"context"
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/internal/contact"
	"github.com/wufang-kiosk/wufang/sensors/internal/run"
)

// Opts configures a Button. Zero fields take the defaults.
type Opts struct {
	Clock clock.Clock // nil: clock.Real{}
	// ActiveLow is true for a button that pulls the pin to ground.
	ActiveLow bool
	// Pull (default: gpio.PullUp when ActiveLow, gpio.PullDown otherwise).
	Pull gpio.Pull
	// Debounce (default 20 ms).
	Debounce time.Duration
	// LongPress (default 1.5 s; negative disables).
	LongPress time.Duration
	// StuckAfter (default 60 s; negative disables).
	StuckAfter time.Duration
	// NoiseLimit is the raw edges per second that, sustained for 3 s, make
	// a noisy-wiring fault (default 250; negative disables).
	NoiseLimit int
}

// Button is one debounced button.
type Button struct {
	in   []run.Input
	name string
	opts Opts
}

// New returns a button on pin whose events carry the sensor name (for
// instance "button.a"). It sets the pin up as an input with edge detection.
func New(pin gpio.PinIn, name string, opts *Opts) (*Button, error) {
	if pin == nil {
		return nil, fmt.Errorf("button %s: no pin", name)
	}
	if name == "" {
		return nil, errors.New("button: no name")
	}
	b := &Button{name: name}
	if opts != nil {
		b.opts = *opts
	}
	b.opts.defaults()
	b.in = []run.Input{{Pin: pin, Pull: b.opts.Pull, ActiveLow: b.opts.ActiveLow}}
	if err := run.Configure(b.in); err != nil {
		return nil, fmt.Errorf("button %s: %w", name, err)
	}
	return b, nil
}

func (o *Opts) defaults() {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Pull == gpio.PullNoChange {
		o.Pull = gpio.PullDown
		if o.ActiveLow {
			o.Pull = gpio.PullUp
		}
	}
	if o.Debounce <= 0 {
		o.Debounce = 20 * time.Millisecond
	}
	if o.LongPress == 0 {
		o.LongPress = 1500 * time.Millisecond
	}
	if o.StuckAfter == 0 {
		o.StuckAfter = 60 * time.Second
	}
	if o.NoiseLimit == 0 {
		o.NoiseLimit = 250
	}
}

// newMachine returns the button logic without a pin.
func newMachine(name string, opts Opts) *contact.Machine {
	opts.defaults()
	return contact.New(contact.Opts{
		Name: name, Press: sensors.Press, Long: sensors.LongPress,
		LongPress: max(opts.LongPress, 0), Debounce: opts.Debounce,
		StuckAfter: max(opts.StuckAfter, 0), NoiseLimit: max(opts.NoiseLimit, 0), What: "button",
	})
}

// Run reports presses until ctx ends. It returns nil after a clean stop.
func (b *Button) Run(ctx context.Context, out chan<- sensors.Event) error {
	if err := run.Run(ctx, b.opts.Clock, b.in, newMachine(b.name, b.opts), out); err != nil {
		return fmt.Errorf("button %s: %w", b.name, err)
	}
	return nil
}
