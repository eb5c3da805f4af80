// Package hw opens a room's real GPIO pins. It is the only package of the
// sensors tree that calls host.Init; the devices themselves only ever see
// gpio.PinIn values.
//
// Pins are looked up by the names used in the config file ("GPIO17"), which
// are the Broadcom GPIO numbers on a Raspberry Pi, not the header pin
// numbers. Pull resistors and active levels are not set here: each device
// configures its own pins from the Setup when it starts.
package hw

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"github.com/wufang-kiosk/wufang/sensors/room"
)

// ErrNoGPIO means the machine has no GPIO pins at all (a laptop, a VM, a
// container without /dev/gpiochip*). Callers may fall back to simulation.
var ErrNoGPIO = errors.New("no GPIO on this machine: set sensors.simulate: true to run without hardware")

// Open initialises the host drivers and looks up every pin of setup by name.
// The error names each missing pin, the config key that asks for it, and
// what to do about it; errors.Is(err, ErrNoGPIO) when there are no pins at
// all.
func Open(setup room.Setup) (room.Pins, error) {
	if _, err := host.Init(); err != nil {
		return room.Pins{}, fmt.Errorf("hw: initialise GPIO drivers: %w", err)
	}
	return lookup(setup, gpioreg.ByName, len(gpioreg.All()))
}

func lookup(setup room.Setup, byName func(string) gpio.PinIO, available int) (room.Pins, error) {
	p := room.Pins{Buttons: map[string]gpio.PinIn{}, Pads: map[string]gpio.PinIn{}}
	names := setup.PinNames()
	if len(names) == 0 {
		return p, nil
	}
	var missing []string
	used := map[string]string{}
	var errs []error
	for _, n := range names {
		pin := byName(n.Pin)
		if pin == nil {
			missing = append(missing, fmt.Sprintf("%s (%s)", n.Pin, n.Key))
			continue
		}
		if other, dup := used[pin.Name()]; dup {
			errs = append(errs, fmt.Errorf("hw: %s and %s both use pin %s; give each sensor its own pin", other, n.Key, n.Pin))
			continue
		}
		used[pin.Name()] = n.Key
		assign(&p, setup, n.Key, pin)
	}
	if len(missing) > 0 {
		what := "pin"
		if len(missing) > 1 {
			what = "pins"
		}
		if available == 0 {
			return room.Pins{}, fmt.Errorf("hw: %s %s: %w", what, strings.Join(missing, ", "), ErrNoGPIO)
		}
		errs = append(errs, fmt.Errorf("hw: no pin named %s on this board: use names like GPIO17 (Broadcom numbers, not header pin numbers), or set sensors.simulate: true to run without hardware", strings.Join(missing, ", ")))
	}
	if len(errs) > 0 {
		return room.Pins{}, errors.Join(errs...)
	}
	return p, nil
}

func assign(p *room.Pins, setup room.Setup, key string, pin gpio.PinIn) {
	switch {
	case key == "sensors.door.outer":
		p.DoorOuter = pin
	case key == "sensors.door.inner":
		p.DoorInner = pin
	case key == "sensors.presence.pin":
		p.Presence = pin
	case strings.HasPrefix(key, "sensors.buttons."):
		p.Buttons[strings.TrimPrefix(key, "sensors.buttons.")] = pin
	case strings.HasPrefix(key, "sensors.pads."):
		p.Pads[strings.TrimPrefix(key, "sensors.pads.")] = pin
	}
}

// Describe lists the pins of setup as "key: pin" lines, for logs and the
// smoke test.
func Describe(setup room.Setup) []string {
	var out []string
	for _, n := range setup.PinNames() {
		out = append(out, n.Key+": "+n.Pin)
	}
	sort.Strings(out)
	return out
}
