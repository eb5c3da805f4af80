package room_test

import (
	"context"
	"fmt"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
	"github.com/wufang-kiosk/wufang/sensors/room"
	"github.com/wufang-kiosk/wufang/sensors/sim"
)

// A room on simulated pins and a fake clock: the visitor walks in, presses
// OK and leaves. On a board, the pins come from hw.Open(setup) instead and
// the clock is the wall clock.
func Example() {
	setup := room.Setup{
		Door:             room.Door{Outer: "GPIO17", Inner: "GPIO27"},
		Buttons:          map[string]string{"ok": "GPIO26"},
		ButtonsActiveLow: true,
	}
	clk := clocktest.NewFake(time.Time{})
	s := sim.NewRoom(setup, &sim.Opts{Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := room.Start(ctx, setup, s.Pins(), &room.Opts{Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = s.Enter(ctx)
	_ = s.Press(ctx, "ok")
	_ = s.Exit(ctx)
	cancel() // the room stops; Events is closed once everything said is read
	for e := range r.Events() {
		fmt.Println(e.Sensor, e.Kind)
	}
	for _, h := range r.Health() {
		fmt.Println(h.Sensor, h.Level)
	}
	// Output:
	// door door.entry
	// button.ok button.press
	// door door.exit
	// button.ok ok
	// door ok
}
