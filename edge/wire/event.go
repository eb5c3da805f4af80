// Package wire is the MQTT contract between a wufang device and the central
// hub: topic builders, payload types, their JSON Schemas and the AsyncAPI
// document. It uses the standard library only, so any consumer can import it.
package wire

import "time"

// Version is the payload format version, sent as "v" in every payload.
const Version = 1

// EpochPattern is what an epoch looks like: 16 lowercase hex digits (64
// random bits), made when the device's store file is created. A device whose
// store had to start again from nothing (a new SD card, an unreadable file)
// gets a new epoch: its seq and counters restart, and a consumer adds the
// new epoch's counts to the old one's instead of replacing them.
const EpochPattern = `^[0-9a-f]{16}$`

// ValidEpoch reports whether s matches EpochPattern.
func ValidEpoch(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Kind is the kind of a visit event.
type Kind string

// The event kinds of the contract (edge/wire/CONTRACT.md).
const (
	DoorEntry      Kind = "door.entry"
	DoorExit       Kind = "door.exit"
	PresenceStart  Kind = "presence.start"
	PresenceEnd    Kind = "presence.end"
	SessionStart   Kind = "session.start"
	ModuleStart    Kind = "module.start"
	StepAnswer     Kind = "step.answer"
	ModuleComplete Kind = "module.complete"
	SessionEnd     Kind = "session.end"
	Feedback       Kind = "feedback"
	SensorFault    Kind = "sensor.fault"
	SensorOK       Kind = "sensor.ok"
	PackInstalled  Kind = "pack.installed"
	PackRejected   Kind = "pack.rejected"
)

// Session end reasons.
const (
	ReasonFinished = "finished"
	ReasonIdle     = "idle"
	ReasonLanguage = "language reset"
)

// Event is one visit event. The store assigns Epoch, Seq and Boot;
// everything else is set by whoever records it. Nothing personal is ever
// recorded.
type Event struct {
	V int `json:"v"`
	// Epoch identifies the store file that assigned Seq (see EpochPattern):
	// (site, device, epoch, seq) is unique for ever.
	Epoch string    `json:"epoch"`
	Seq   uint64    `json:"seq"`  // per device and epoch, monotonic, never reused
	Boot  uint64    `json:"boot"` // the device's boot count when recorded
	Time  time.Time `json:"time"`
	Kind  Kind      `json:"kind"`

	Module  string `json:"module,omitempty"`  // module.*, step.answer
	Step    string `json:"step,omitempty"`    // step.answer: the step id
	Correct *bool  `json:"correct,omitempty"` // step.answer: right first answer
	Score   int    `json:"score,omitempty"`   // module.complete: right first answers
	Total   int    `json:"total,omitempty"`   // module.complete: questions
	Passed  *bool  `json:"passed,omitempty"`  // module.complete
	Rating  int    `json:"rating,omitempty"`  // feedback: 1 not satisfied, 2 OK, 3 satisfied
	Reason  string `json:"reason,omitempty"`  // session.end, sensor.fault, pack.rejected
	Lang    string `json:"lang,omitempty"`    // session.start, session.end
	Sensor  string `json:"sensor,omitempty"`  // door.*, presence.*, sensor.*: the sensor's config name
	Pack    string `json:"pack,omitempty"`    // pack.*: pack id
	PackVer string `json:"pack_version,omitempty"`
	// AfterHours marks door events outside opening hours.
	AfterHours bool `json:"after_hours,omitempty"`
	// ClockUnsynced: when the event was recorded the device's clock was not
	// known to be right (not synchronised by NTP, or earlier than an event
	// recorded before it), so Time, and the day the event counts in, may
	// be off.
	ClockUnsynced bool `json:"clock_unsynced,omitempty"`
}
