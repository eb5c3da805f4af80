// Package sensors holds what every sensor device of a wufang room shares: the
// Event they emit and its kinds. The devices live in sub-packages (door,
// presence, button, touch, health), take periph.io pin and bus interfaces,
// and never touch hardware themselves; sensors/hw opens real pins and
// sensors/sim simulates them.
package sensors

import "time"

// Kind is what happened at a sensor.
type Kind string

// Event kinds.
const (
	DoorEntry     Kind = "door.entry"
	DoorExit      Kind = "door.exit"
	PresenceStart Kind = "presence.start"
	PresenceEnd   Kind = "presence.end"
	Press         Kind = "button.press"
	LongPress     Kind = "button.long"
	Touch         Kind = "pad.touch"
	Fault         Kind = "sensor.fault"
	OK            Kind = "sensor.ok"
)

// Event is one thing a sensor reports.
type Event struct {
	Time   time.Time
	Sensor string // config name: "door", "presence", "button.a", "pad.exhibit-1"
	Kind   Kind
	Detail string // fault reason, and the like
}
