package adminui

import (
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/health"
)

// LitFor is how long a sensor's row stays lit after an event.
const LitFor = 2 * time.Second

// sensorRedrawGap is the least time between two redraws for sensor
// events: a storm of events must not build screens as fast as it comes.
const sensorRedrawGap = 500 * time.Millisecond

// followSensors keeps each sensor's last event and, while the Sensors
// screen shows, redraws it. It runs until the device closes ch.
func (a *Admin) followSensors(ch <-chan sensors.Event) {
	for ev := range ch {
		a.sens.mu.Lock()
		a.sens.last[ev.Sensor] = ev
		// Outside admin mode only the last events are kept.
		queue := !a.sens.posted && a.active.Load()
		if queue {
			a.sens.posted = true
		}
		a.sens.mu.Unlock()
		if queue {
			// One redraw is queued at a time however fast events come.
			a.post(func() { a.guard("sensor", a.sensorsChanged) })
		}
	}
}

// sensorsChanged runs on the Fyne goroutine after sensor events.
func (a *Admin) sensorsChanged() {
	a.sens.mu.Lock()
	a.sens.posted = false
	var fresh []sensors.Event
	now := a.clock.Now()
	for _, ev := range a.sens.last {
		if now.Sub(ev.Time) < LitFor {
			fresh = append(fresh, ev)
		}
	}
	a.sens.mu.Unlock()
	if !a.active.Load() {
		return
	}
	for _, ev := range fresh {
		if ev.Kind == sensors.Press || ev.Kind == sensors.LongPress || ev.Kind == sensors.Touch {
			a.idle.Touch() // staff testing the buttons are using admin mode
			break
		}
	}
	if a.page != "sensors" || a.confirm != nil {
		return
	}
	if wait := a.sensNext.Sub(now); wait > 0 {
		if !a.sensWait {
			a.sensWait = true
			a.clock.AfterFunc(wait, func() {
				a.post(func() {
					a.guard("sensor", func() {
						a.sensWait = false
						a.sensorsChanged()
					})
				})
			})
		}
		return
	}
	a.sensNext = now.Add(sensorRedrawGap)
	a.render()
	if len(fresh) > 0 {
		// Put the rows out again once they are no longer lit.
		a.clock.AfterFunc(LitFor, func() {
			a.post(func() {
				a.guard("sensor", func() {
					if a.active.Load() && a.page == "sensors" && a.confirm == nil {
						a.render()
					}
				})
			})
		})
	}
}

// sensorRow is one sensor on the Sensors screen.
type sensorRow struct {
	name  string
	level health.Level
	last  sensors.Event
	seen  bool
	// lastAt is the last event's time when only the health knows of one.
	lastAt time.Time
	reason string
}

func (a *Admin) sensorRows() []sensorRow {
	byName := map[string]*sensorRow{}
	if a.status != nil {
		for _, s := range a.status.Sensors {
			byName[s.Sensor] = &sensorRow{name: s.Sensor, level: health.Level(s.Level), lastAt: s.LastEvent, reason: s.Reason}
		}
	}
	a.sens.mu.Lock()
	for name, ev := range a.sens.last {
		r := byName[name]
		if r == nil {
			r = &sensorRow{name: name, level: health.OK}
			byName[name] = r
		}
		r.last, r.seen = ev, true
	}
	a.sens.mu.Unlock()
	rows := make([]sensorRow, 0, len(byName))
	for _, r := range byName {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b sensorRow) int { return strings.Compare(sensorOrder(a.name), sensorOrder(b.name)) })
	return rows
}

// sensorOrder puts the door first, then presence, buttons and pads.
func sensorOrder(name string) string {
	switch {
	case name == "door":
		return "0"
	case name == "presence":
		return "1"
	case strings.HasPrefix(name, "button."):
		return "2" + name
	}
	return "3" + name
}

// sensorName is a sensor's name for staff.
func sensorName(name string) string {
	switch {
	case name == "door":
		return "门 Door beams"
	case name == "presence":
		return "人体感应 Presence"
	case strings.HasPrefix(name, "button."):
		return "按钮 Button " + strings.ToUpper(strings.TrimPrefix(name, "button."))
	case strings.HasPrefix(name, "pad."):
		return "触摸 Pad " + strings.TrimPrefix(name, "pad.")
	}
	return name
}

var kindNames = map[sensors.Kind]string{
	sensors.DoorEntry:     "进 Entry",
	sensors.DoorExit:      "出 Exit",
	sensors.PresenceStart: "有人 Someone",
	sensors.PresenceEnd:   "无人 Gone",
	sensors.Press:         "按下 Press",
	sensors.LongPress:     "长按 Long press",
	sensors.Touch:         "触摸 Touch",
	sensors.Fault:         "故障 Fault",
	sensors.OK:            "恢复 OK again",
}

var levelNames = map[health.Level]string{
	health.OK:      "正常 OK",
	health.Warning: "警告 Warning",
	health.Fault:   "故障 Fault",
}

func (a *Admin) sensorsPage() fyne.CanvasObject {
	if a.opts.Device == nil {
		return noDevice()
	}
	rows := a.sensorRows()
	if len(rows) == 0 {
		if a.status == nil {
			return a.waiting()
		}
		return para("没有配置传感器 No sensors are configured (sensors in the config).", 200)
	}
	fr := cols{0.36, 0.24, 0.4}
	now := a.clock.Now()
	items := make([]fyne.CanvasObject, 0, len(rows))
	for _, r := range rows {
		last := "—"
		switch {
		case r.seen:
			k := kindNames[r.last.Kind]
			if k == "" {
				k = string(r.last.Kind)
			}
			last = k + " " + a.fmtTime(r.last.Time)
		case !r.lastAt.IsZero():
			last = a.fmtTime(r.lastAt)
		}
		level := levelNames[r.level]
		if level == "" {
			level = string(r.level)
		}
		reason := strings.TrimPrefix(r.reason, health.WarningPrefix)
		if r.seen && r.last.Kind == sensors.Fault && r.last.Detail != "" {
			reason = strings.TrimPrefix(r.last.Detail, health.WarningPrefix)
		}
		var bg color.Color = rowColour
		switch {
		case r.seen && now.Sub(r.last.Time) < LitFor:
			bg = litColour
		case r.level == health.Fault:
			bg = faultColour
		case r.level == health.Warning:
			bg = warnColour
		}
		line := fyne.CanvasObject(row(fr, sensorName(r.name), level, last))
		if reason != "" {
			// The reason gets a line of its own: staff need all of it.
			line = container.NewVBox(line, para("   "+reason, 90))
		}
		items = append(items, band(bg, line))
	}
	header := row(fr, "传感器 Sensor", "状态 Health", "最近 Last event")
	return a.paged(header, items)
}
