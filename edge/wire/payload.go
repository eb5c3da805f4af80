package wire

import (
	"encoding/json"
	"maps"
	"time"
)

// DateLayout is the layout of day strings (yyyy-mm-dd) in Totals, Daily and
// the daily/{date} topic.
const DateLayout = "2006-01-02"

// Status is the retained payload of the status topic. The last will carries
// the same document with Online false.
type Status struct {
	V           int    `json:"v"`
	Epoch       string `json:"epoch"` // the store's epoch (see EpochPattern)
	Online      bool   `json:"online"`
	App         string `json:"app"`          // application version
	Pack        string `json:"pack"`         // active content pack id; "" on a door-counter node
	PackVersion string `json:"pack_version"` // active content pack version
	Boot        uint64 `json:"boot"`
	Backlog     uint64 `json:"backlog"` // events recorded but not yet acknowledged by the broker
	Dropped     uint64 `json:"dropped"` // events dropped unsent because of the disk cap
	// Store is the event store's state: "ok", "disk full" (recording in
	// space freed inside the file), "write error" (events are being lost)
	// or "damaged" (restarting to repair it). Empty from older devices.
	Store string `json:"store,omitempty"`
	// RecordFailures counts events lost since start because they could
	// not be recorded (a full disk, a damaged file).
	RecordFailures uint64 `json:"record_failures,omitempty"`
	// ClockSynced says whether the device's clock is synchronised by NTP;
	// absent when the device cannot tell. A Pi without a real-time clock
	// boots offline with its clock behind by the time it was off.
	ClockSynced *bool `json:"clock_synced,omitempty"`
	// Sensors maps a sensor's config name to its health: "ok" or a short
	// description of the fault.
	Sensors        map[string]string `json:"sensors"`
	ConnectedSince *time.Time        `json:"connected_since,omitempty"`
	LastError      string            `json:"last_error,omitempty"`
	// Offer is the device's report on the pack the hub offers it (see
	// Offer); absent when content.from_hub is off or nothing is offered.
	Offer *OfferState `json:"offer,omitempty"`
	Time  time.Time   `json:"time"`
}

// MarshalJSON writes nil maps as {} so the payload always matches its schema.
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status
	p := plain(s)
	if p.Sensors == nil {
		p.Sensors = map[string]string{}
	}
	return json.Marshal(p)
}

// Counters are cumulative visit counts. They only ever grow: a consumer that
// keeps the latest value per device gets exact totals whatever it missed.
type Counters struct {
	Entries uint64 `json:"entries"` // door.entry, after-hours ones included
	Exits   uint64 `json:"exits"`   // door.exit, after-hours ones included
	// AfterHoursEntries and AfterHoursExits count the door events outside
	// opening hours (already included in Entries and Exits).
	AfterHoursEntries uint64 `json:"after_hours_entries"`
	AfterHoursExits   uint64 `json:"after_hours_exits"`
	Sessions          uint64 `json:"sessions"` // session.start
	// Per module id.
	ModulesStarted   map[string]uint64 `json:"modules_started"`
	ModulesCompleted map[string]uint64 `json:"modules_completed"`
	ModulesPassed    map[string]uint64 `json:"modules_passed"`
	// Per step id (step ids are unique within a pack).
	AnswersRight map[string]uint64 `json:"answers_right"`
	AnswersWrong map[string]uint64 `json:"answers_wrong"`
	// Feedback[i] counts the ratings i+1 (1 not satisfied, 2 OK, 3 satisfied).
	Feedback     [3]uint64 `json:"feedback"`
	SensorFaults uint64    `json:"sensor_faults"`
}

// MarshalJSON writes nil maps as {} so the payload always matches its schema.
func (c Counters) MarshalJSON() ([]byte, error) {
	type plain Counters
	return json.Marshal(plain(c.normalized()))
}

func (c Counters) normalized() Counters {
	for _, m := range []*map[string]uint64{&c.ModulesStarted, &c.ModulesCompleted, &c.ModulesPassed, &c.AnswersRight, &c.AnswersWrong} {
		if *m == nil {
			*m = map[string]uint64{}
		}
	}
	return c
}

// Add counts one event. It reports whether the event changed a counter
// (presence, sensor.ok and pack events are recorded but not counted).
func (c *Counters) Add(e Event) bool {
	inc := func(m *map[string]uint64, k string) {
		if *m == nil {
			*m = make(map[string]uint64)
		}
		(*m)[k]++
	}
	switch e.Kind {
	case DoorEntry:
		c.Entries++
		if e.AfterHours {
			c.AfterHoursEntries++
		}
	case DoorExit:
		c.Exits++
		if e.AfterHours {
			c.AfterHoursExits++
		}
	case SessionStart:
		c.Sessions++
	case ModuleStart:
		inc(&c.ModulesStarted, e.Module)
	case ModuleComplete:
		inc(&c.ModulesCompleted, e.Module)
		if e.Passed != nil && *e.Passed {
			inc(&c.ModulesPassed, e.Module)
		}
	case StepAnswer:
		if e.Correct != nil && *e.Correct {
			inc(&c.AnswersRight, e.Step)
		} else {
			inc(&c.AnswersWrong, e.Step)
		}
	case Feedback:
		if e.Rating < 1 || e.Rating > 3 {
			return false
		}
		c.Feedback[e.Rating-1]++
	case SensorFault:
		c.SensorFaults++
	default:
		return false
	}
	return true
}

// Clone returns a deep copy of c.
func (c Counters) Clone() Counters {
	c.ModulesStarted = maps.Clone(c.ModulesStarted)
	c.ModulesCompleted = maps.Clone(c.ModulesCompleted)
	c.ModulesPassed = maps.Clone(c.ModulesPassed)
	c.AnswersRight = maps.Clone(c.AnswersRight)
	c.AnswersWrong = maps.Clone(c.AnswersWrong)
	return c
}

// Merge adds o into c (used to sum devices into a site total).
func (c *Counters) Merge(o Counters) {
	c.Entries += o.Entries
	c.Exits += o.Exits
	c.AfterHoursEntries += o.AfterHoursEntries
	c.AfterHoursExits += o.AfterHoursExits
	c.Sessions += o.Sessions
	add := func(dst *map[string]uint64, src map[string]uint64) {
		if len(src) == 0 {
			return
		}
		if *dst == nil {
			*dst = make(map[string]uint64, len(src))
		}
		for k, v := range src {
			(*dst)[k] += v
		}
	}
	add(&c.ModulesStarted, o.ModulesStarted)
	add(&c.ModulesCompleted, o.ModulesCompleted)
	add(&c.ModulesPassed, o.ModulesPassed)
	add(&c.AnswersRight, o.AnswersRight)
	add(&c.AnswersWrong, o.AnswersWrong)
	for i := range c.Feedback {
		c.Feedback[i] += o.Feedback[i]
	}
	c.SensorFaults += o.SensorFaults
}

// Equal reports whether c and o hold the same counts (a nil map equals an
// empty one).
func (c Counters) Equal(o Counters) bool {
	eq := func(a, b map[string]uint64) bool {
		if len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || w != v {
				return false
			}
		}
		return true
	}
	return c.Entries == o.Entries && c.Exits == o.Exits &&
		c.AfterHoursEntries == o.AfterHoursEntries && c.AfterHoursExits == o.AfterHoursExits &&
		c.Sessions == o.Sessions && c.Feedback == o.Feedback && c.SensorFaults == o.SensorFaults &&
		eq(c.ModulesStarted, o.ModulesStarted) && eq(c.ModulesCompleted, o.ModulesCompleted) &&
		eq(c.ModulesPassed, o.ModulesPassed) && eq(c.AnswersRight, o.AnswersRight) &&
		eq(c.AnswersWrong, o.AnswersWrong)
}

// Totals is the retained payload of the totals topic: the device's lifetime
// counters and today's, including every event up to Seq.
type Totals struct {
	V        int       `json:"v"`
	Site     string    `json:"site"`
	Device   string    `json:"device"`
	Epoch    string    `json:"epoch"` // the store's epoch: these counters count from its start
	Seq      uint64    `json:"seq"`   // the highest sequence number these counters include
	Boot     uint64    `json:"boot"`
	Lifetime Counters  `json:"lifetime"`
	Today    Counters  `json:"today"`
	Date     string    `json:"date"`     // today in the site's time zone, yyyy-mm-dd
	TimeZone string    `json:"timezone"` // IANA name, e.g. Asia/Shanghai
	Time     time.Time `json:"time"`
}

// Daily is the retained payload of daily/{date}: one closed day's counters.
type Daily struct {
	V        int      `json:"v"`
	Epoch    string   `json:"epoch"` // the store's epoch (see EpochPattern)
	Date     string   `json:"date"`  // yyyy-mm-dd in the site's time zone
	Counters Counters `json:"counters"`
	Seq      uint64   `json:"seq"` // the highest sequence number counted in this day
}
