package hw

import (
	"errors"
	"strings"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/wufang-kiosk/wufang/sensors/room"
)

func board(names ...string) func(string) gpio.PinIO {
	pins := map[string]gpio.PinIO{}
	for _, n := range names {
		pins[n] = &gpiotest.Pin{N: n}
	}
	return func(n string) gpio.PinIO {
		if p, ok := pins[n]; ok {
			return p
		}
		return nil
	}
}

var pi = board("GPIO5", "GPIO6", "GPIO13", "GPIO17", "GPIO19", "GPIO21", "GPIO22", "GPIO26", "GPIO27")

func TestLookupDefaultConfig(t *testing.T) {
	p, err := lookup(room.Reference(), pi, 28)
	if err != nil {
		t.Fatal(err)
	}
	if p.DoorOuter.Name() != "GPIO17" || p.DoorInner.Name() != "GPIO27" || p.Presence.Name() != "GPIO22" || p.Buttons["back"].Name() != "GPIO21" || len(p.Buttons) != 6 {
		t.Fatalf("pins %+v", p)
	}
}

func TestNoGPIO(t *testing.T) {
	_, err := lookup(room.Reference(), board(), 0)
	if !errors.Is(err, ErrNoGPIO) {
		t.Fatalf("error %v, want ErrNoGPIO", err)
	}
	for _, want := range []string{"GPIO17 (sensors.door.outer)", "no GPIO on this machine: set sensors.simulate: true to run without hardware"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestMissingAndSharedPins(t *testing.T) {
	s := room.Reference()
	s.Pads = map[string]string{"exhibit-1": "GPIO99", "exhibit-2": "GPIO5"}
	_, err := lookup(s, pi, 28)
	if err == nil || errors.Is(err, ErrNoGPIO) {
		t.Fatalf("error %v", err)
	}
	for _, want := range []string{"no pin named GPIO99 (sensors.pads.exhibit-1)", "sensors.buttons.a and sensors.pads.exhibit-2 both use pin GPIO5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestNoSensorsNeedsNoPins(t *testing.T) {
	if _, err := lookup(room.Setup{}, board(), 0); err != nil {
		t.Fatal(err)
	}
}
