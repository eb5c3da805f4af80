// Package health keeps the state of a room's sensors for the kiosk's admin
// view and the status topic, and holds the checks that tell a broken sensor
// from a quiet one.
//
// Two kinds of trouble are caught:
//
//   - Stuck: an input that stays active far longer than any visitor would
//     keep it (a beam blocked for a minute is a box left in the doorway or a
//     misaligned emitter; a button held for a minute is jammed). Devices own
//     their inputs' timing, so each one runs a Stuck check and emits
//     sensors.Fault when it trips and sensors.OK when the input lets go.
//   - Silent: a presence sensor that has not fired for a number of opening
//     hours is probably unplugged or pointing at a wall. The Monitor counts
//     opening time since the last motion and emits a warning (a
//     sensors.Fault whose Detail starts with "warning:"); the next motion
//     emits sensors.OK.
//
// The Monitor sees every event of the room on its way out (Observe), so its
// Snapshot always shows each sensor's last event and last fault reason.
package health

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors"
)

// Level is how a sensor is doing.
type Level string

// Levels, from good to bad.
const (
	OK      Level = "ok"
	Warning Level = "warning"
	Fault   Level = "fault"
)

// WarningPrefix starts the Detail of a sensors.Fault event that is only a
// warning (the sensor may be fine, but looks suspicious).
const WarningPrefix = "warning: "

// Status is one sensor's health.
type Status struct {
	Sensor string `json:"sensor"` // "door", "presence", "button.a", "pad.exhibit-1"
	Level  Level  `json:"level"`
	// Reason is the last fault or warning detail; it stays after recovery
	// so staff can see what happened.
	Reason string `json:"reason,omitempty"`
	// Since is when Level last changed (zero: since start).
	Since time.Time `json:"since,omitzero"`
	// LastEvent is the time of the sensor's last event of any kind (zero:
	// none yet).
	LastEvent time.Time `json:"last_event,omitzero"`
}

// Stuck trips when an input stays active for After. It is a plain state
// machine for devices to embed; the zero After disables it.
type Stuck struct {
	After time.Duration

	active  bool
	since   time.Time
	tripped bool
}

// Set records the input's debounced level at t. It reports recovered when
// a tripped input lets go.
func (s *Stuck) Set(t time.Time, active bool) (recovered bool) {
	if active == s.active {
		return false
	}
	s.active = active
	s.since = t
	if !active && s.tripped {
		s.tripped = false
		return true
	}
	return false
}

// Due returns when the check trips if the input stays active.
func (s *Stuck) Due() (time.Time, bool) {
	if s.After <= 0 || !s.active || s.tripped {
		return time.Time{}, false
	}
	return s.since.Add(s.After), true
}

// Advance reports whether the check trips at now, and for how long the input
// has been active.
func (s *Stuck) Advance(now time.Time) (tripped bool, held time.Duration) {
	at, ok := s.Due()
	if !ok || now.Before(at) {
		return false, 0
	}
	s.tripped = true
	return true, now.Sub(s.since)
}

// Tripped reports whether the check is tripped.
func (s *Stuck) Tripped() bool { return s.tripped }

// MonitorOpts configures a Monitor.
type MonitorOpts struct {
	Clock clock.Clock // nil: clock.Real{}
	// Presence is the presence sensor's name ("presence"); empty: no
	// silence check.
	Presence string
	// SilentHours is how many opening hours without motion make a warning;
	// 0 disables the check.
	SilentHours int
	// Open reports whether the room is open at t; nil: always open.
	Open func(t time.Time) bool
	// Step is how often opening time is counted (default one minute).
	Step time.Duration
}

// Monitor tracks every sensor's health.
type Monitor struct {
	opts MonitorOpts

	mu      sync.Mutex
	status  map[string]*Status
	silent  time.Duration // opening time since the last motion
	lastAt  time.Time     // last time silence was counted
	warned  bool
	timer   clock.Timer
	emitter func(sensors.Event)

	// emitting is held while a warning is handed out, so Stop can promise
	// that none is in flight once it returns.
	emitting sync.Mutex
}

// NewMonitor returns a monitor for the named sensors, all OK.
func NewMonitor(names []string, opts *MonitorOpts) *Monitor {
	m := &Monitor{status: map[string]*Status{}}
	if opts != nil {
		m.opts = *opts
	}
	if m.opts.Clock == nil {
		m.opts.Clock = clock.Real{}
	}
	if m.opts.Step <= 0 {
		m.opts.Step = time.Minute
	}
	for _, n := range names {
		m.status[n] = &Status{Sensor: n, Level: OK}
	}
	return m
}

// Observe records an event on its way out of the room.
func (m *Monitor) Observe(e sensors.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.observe(e)
}

func (m *Monitor) observe(e sensors.Event) {
	s := m.status[e.Sensor]
	if s == nil {
		s = &Status{Sensor: e.Sensor, Level: OK}
		m.status[e.Sensor] = s
	}
	s.LastEvent = e.Time
	switch e.Kind {
	case sensors.Fault:
		lvl := Fault
		if strings.HasPrefix(e.Detail, WarningPrefix) {
			lvl = Warning
		}
		if s.Level != lvl {
			s.Since = e.Time
		}
		s.Level, s.Reason = lvl, e.Detail
	case sensors.OK:
		if s.Level != OK {
			s.Since = e.Time
		}
		s.Level = OK
	}
	if e.Sensor == m.opts.Presence && (e.Kind == sensors.PresenceStart || e.Kind == sensors.PresenceEnd) {
		m.silent = 0
		m.lastAt = e.Time
	}
}

// Snapshot returns every sensor's status, sorted by name.
func (m *Monitor) Snapshot() []Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Status, 0, len(m.status))
	for _, s := range m.status {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sensor < out[j].Sensor })
	return out
}

// Recover is called with every presence event before it is observed: if
// the silence warning is up, it returns the sensors.OK event that clears it.
func (m *Monitor) Recover(e sensors.Event) (sensors.Event, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.warned || e.Sensor != m.opts.Presence || e.Kind != sensors.PresenceStart {
		return sensors.Event{}, false
	}
	m.warned = false
	return sensors.Event{Time: e.Time, Sensor: e.Sensor, Kind: sensors.OK, Detail: "motion seen again"}, true
}

// Start begins counting opening time without motion; emit receives the
// warning. It does nothing when the silence check is off. Stop ends it.
func (m *Monitor) Start(emit func(sensors.Event)) {
	if m.opts.Presence == "" || m.opts.SilentHours <= 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.emitter = emit
	m.lastAt = m.opts.Clock.Now()
	m.timer = m.opts.Clock.AfterFunc(m.opts.Step, m.tick)
}

// Stop ends the silence check; once it returns, no warning is emitted.
func (m *Monitor) Stop() {
	m.emitting.Lock()
	defer m.emitting.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	m.emitter = nil
}

func (m *Monitor) tick() {
	m.emitting.Lock()
	defer m.emitting.Unlock()
	m.mu.Lock()
	if m.emitter == nil {
		m.mu.Unlock()
		return
	}
	now := m.opts.Clock.Now()
	if m.opts.Open == nil || m.opts.Open(m.lastAt) { // the step that just ended
		if d := now.Sub(m.lastAt); d > 0 {
			m.silent += d
		}
	}
	m.lastAt = now
	var warn *sensors.Event
	limit := time.Duration(m.opts.SilentHours) * time.Hour
	if !m.warned && m.silent >= limit {
		m.warned = true
		e := sensors.Event{Time: now, Sensor: m.opts.Presence, Kind: sensors.Fault,
			Detail: fmt.Sprintf("%sno motion in %d opening hours: check the presence sensor is plugged in and faces the visitors", WarningPrefix, m.opts.SilentHours)}
		warn = &e
	}
	emit := m.emitter
	m.timer = m.opts.Clock.AfterFunc(m.opts.Step, m.tick)
	m.mu.Unlock()
	if warn != nil {
		emit(*warn)
	}
}
