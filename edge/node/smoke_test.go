//go:build hw

package node

import (
	"context"
	"flag"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors/hw"
	"github.com/wufang-kiosk/wufang/sensors/room"
)

var (
	configPath = flag.String("config", config.DefaultPath, "device config whose sensor pins to check")
	watch      = flag.Duration("watch", 0, "also run the room this long and log every event (walk through the door, press the buttons)")
)

// TestSmoke checks, on a real board, that every configured pin exists,
// accepts its pull and edge detection, and reads a plausible idle level:
//
//	go test -tags hw -run Smoke ./edge/node/ -args -config /etc/wufang/wufang.yaml -watch 30s
func TestSmoke(t *testing.T) {
	cfg, err := config.Load(*configPath)
	if err != nil {
		t.Fatal(err)
	}
	setup := RoomSetup(cfg.Sensors)
	pins, err := hw.Open(setup)
	if err != nil {
		t.Fatal(err)
	}
	check := func(key string, p gpio.PinIn, pull gpio.Pull, idle gpio.Level) {
		if p == nil {
			return
		}
		if err := p.In(pull, gpio.BothEdges); err != nil {
			t.Errorf("%s (%s): %v", key, p, err)
			return
		}
		l := p.Read()
		t.Logf("%s: %s pull %s reads %s", key, p, pull, l)
		if l != idle {
			t.Errorf("%s (%s) reads %s at rest, want %s: check the wiring, or the active level in the config", key, p, l, idle)
		}
	}
	beamIdle := gpio.Level(setup.Door.ActiveLow)
	check("sensors.door.outer", pins.DoorOuter, gpio.PullUp, beamIdle)
	check("sensors.door.inner", pins.DoorInner, gpio.PullUp, beamIdle)
	if pins.Presence != nil {
		// A PIR may see the tester: log only.
		_ = pins.Presence.In(gpio.PullDown, gpio.BothEdges)
		t.Logf("sensors.presence.pin: %s reads %s", pins.Presence, pins.Presence.Read())
	}
	btnPull := gpio.PullDown
	if setup.ButtonsActiveLow {
		btnPull = gpio.PullUp
	}
	for k, p := range pins.Buttons {
		check("sensors.buttons."+k, p, btnPull, gpio.Level(setup.ButtonsActiveLow))
	}
	for k, p := range pins.Pads {
		check("sensors.pads."+k, p, gpio.PullDown, gpio.Low)
	}
	if *watch <= 0 || t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), *watch)
	defer cancel()
	r, err := room.Start(ctx, setup, pins, &room.Opts{Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	for e := range r.Events() {
		t.Logf("%s %s %s %s", e.Time.Format(time.TimeOnly), e.Sensor, e.Kind, e.Detail)
	}
}
