// Package touch reads capacitive touch pads on the exhibits: a debounced
// sensors.Touch when a pad is touched.
//
// # Why TTP223 modules on GPIO, not a CAP1188 on I2C
//
// Each pad is a TTP223-class one-key touch module
// (https://www.tontek.com.tw/uploads/product/106/TTP223-BA6_V2.0_EN.pdf) on
// its own GPIO pin: a pad the size of a coin on a small board, 2.0–5.5 V, a
// push-pull output that goes high while touched (the "A" jumper inverts it,
// the "B" jumper makes it a toggle — leave B open). We chose them over a
// CAP1188-class I2C controller (periph.io/x/devices/v3/cap1xxx) because:
//
//   - a pad is then just a button: same wiring, same debounce, same
//     simulator, same config line (pads: {exhibit-1: GPIO23}), no new
//     module dependency and no second code path to keep working;
//   - each module calibrates itself against its own electrode, so a pad on a
//     long lead at the far end of an exhibit does not detune the others, and
//     one broken pad cannot take the bus (and all other pads) down with it;
//   - exhibits have a handful of pads, well within the free GPIO pins of a
//     Raspberry Pi next to the beams, PIR and six buttons.
//
// A CAP1188 would win beyond about ten pads or where GPIO pins run out; it
// would then be a second device behind the same sensors.Touch events.
//
// A pad held for Opts.StuckAfter emits a sensors.Fault (TTP223 modules
// recalibrate after about 100 s of touch, so a longer "touch" is a fault in
// the module or its wiring) and sensors.OK when it lets go.
package touch

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

// Opts configures a Pad. Zero fields take the defaults.
type Opts struct {
	Clock clock.Clock // nil: clock.Real{}
	// ActiveLow is true for modules with the "A" jumper closed.
	ActiveLow bool
	// Pull (default gpio.PullDown, or gpio.PullUp when ActiveLow: the output
	// is push-pull, the pull only keeps an unplugged pad quiet).
	Pull gpio.Pull
	// Debounce (default 20 ms).
	Debounce time.Duration
	// StuckAfter (default 60 s; negative disables).
	StuckAfter time.Duration
	// NoiseLimit is the raw edges per second that, sustained for 3 s, make
	// a noisy-wiring fault (default 250; negative disables).
	NoiseLimit int
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
	if o.StuckAfter == 0 {
		o.StuckAfter = 60 * time.Second
	}
	if o.NoiseLimit == 0 {
		o.NoiseLimit = 250
	}
}

// Prefix starts every pad's sensor name: "pad.exhibit-1".
const Prefix = "pad."

// Pad is one touch pad.
type Pad struct {
	in   []run.Input
	name string
	opts Opts
}

// New returns a pad on pin whose events carry the sensor name (for instance
// "pad.exhibit-1"). It sets the pin up as an input with edge detection.
func New(pin gpio.PinIn, name string, opts *Opts) (*Pad, error) {
	if pin == nil {
		return nil, fmt.Errorf("touch pad %s: no pin", name)
	}
	if name == "" {
		return nil, errors.New("touch pad: no name")
	}
	p := &Pad{name: name}
	if opts != nil {
		p.opts = *opts
	}
	p.opts.defaults()
	p.in = []run.Input{{Pin: pin, Pull: p.opts.Pull, ActiveLow: p.opts.ActiveLow}}
	if err := run.Configure(p.in); err != nil {
		return nil, fmt.Errorf("touch pad %s: %w", name, err)
	}
	return p, nil
}

func newMachine(name string, opts Opts) *contact.Machine {
	opts.defaults()
	return contact.New(contact.Opts{
		Name: name, Press: sensors.Touch, Debounce: opts.Debounce,
		StuckAfter: max(opts.StuckAfter, 0), NoiseLimit: max(opts.NoiseLimit, 0), What: "touch pad",
	})
}

// Run reports touches until ctx ends. It returns nil after a clean stop.
func (p *Pad) Run(ctx context.Context, out chan<- sensors.Event) error {
	if err := run.Run(ctx, p.opts.Clock, p.in, newMachine(p.name, p.opts), out); err != nil {
		return fmt.Errorf("touch pad %s: %w", p.name, err)
	}
	return nil
}
