package node

import (
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/sensors/room"
)

// RoomSetup turns the config file's sensors section into the room's Setup:
// the sensors know nothing of the config file.
func RoomSetup(c config.Sensors) room.Setup {
	return room.Setup{
		Door:             room.Door{Outer: c.Door.Outer, Inner: c.Door.Inner, ActiveLow: c.Door.BeamActiveLow, Timeout: c.Door.CrossingTimeout.D()},
		Presence:         room.Presence{Pin: c.Presence.Pin, Hold: c.Presence.Hold.D(), SilentHours: c.Presence.SilentHours},
		Buttons:          c.Buttons,
		Pads:             c.Pads,
		ButtonsActiveLow: c.ButtonsActiveLow,
		Debounce:         c.Debounce.D(),
		StuckAfter:       c.StuckAfter.D(),
	}
}
