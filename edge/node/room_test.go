package node

import (
	"reflect"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/sensors/room"
)

func TestRoomSetupDefaults(t *testing.T) {
	s := RoomSetup(config.Default().Sensors)
	if s.Door.Outer != "GPIO17" || s.Door.Inner != "GPIO27" || s.Presence.Pin != "GPIO22" || s.Buttons["ok"] != "GPIO26" {
		t.Fatalf("pins not mapped: %+v", s)
	}
	if !s.ButtonsActiveLow || s.Debounce != 20*time.Millisecond || s.StuckAfter != time.Minute || s.Presence.Hold != 30*time.Second || s.Door.Timeout != time.Minute {
		t.Fatalf("levels and times not mapped: %+v", s)
	}
	if got := len(s.PinNames()); got != 9 {
		t.Fatalf("PinNames: %d pins, want 9", got)
	}
	if !reflect.DeepEqual(s, room.Reference()) {
		t.Errorf("the config's default sensors are not room.Reference():\n%+v\n%+v", s, room.Reference())
	}
}
