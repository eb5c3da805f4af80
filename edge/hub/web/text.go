package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
)

// The sentences the server writes into the pages (alert messages, why a
// number is incomplete, a device's and a sensor's state), keyed like every
// other message: each kind has its sentence in both languages with
// numbered verbs (%[1]s), filled with numbers, dates, times and durations
// written in the language's own way. Never an English sentence patched
// into Chinese: the hub's Alert.Message (English, for the JSON API) is not
// shown; the page writes the alert from its facts.
var sentences = map[string][2]string{ // [zh, en]
	"alertmsg." + hub.AlertOffline: {"%[1]s 在开放时间内已离线 %[2]s：请检查它的电源和网络。",
		"%[1]s has been offline for %[2]s during opening hours: check its power and network."},
	"alertmsg." + hub.AlertSensorFault: {"%[1]s：传感器 %[2]s 报告%[3]s。",
		"%[1]s: sensor %[2]s reports %[3]s."},
	"alertmsg." + hub.AlertBacklogGrowing: {"%[1]s：有 %[2]s 个事件等待上传，且已持续增长 %[3]s：它的上行连接到不了消息服务器。",
		"%[1]s: %[2]s events waiting to be sent, and growing for %[3]s: its uplink cannot reach the broker."},
	"alertmsg." + hub.AlertBacklogGrowing + ".one": {"%[1]s：有 %[2]s 个事件等待上传，且已持续增长 %[3]s：它的上行连接到不了消息服务器。",
		"%[1]s: %[2]s event waiting to be sent, and growing for %[3]s: its uplink cannot reach the broker."},
	"alertmsg." + hub.AlertDoorImbalance: {"%[1]s：入场 %[2]s 人次，离场却只有 %[3]s 人次（光栅没对准或被挡住？）",
		"%[1]s: %[2]s entries but %[3]s exits (a beam out of line or blocked?)"},
	"alertmsg." + hub.AlertSessionsLow: {"%[1]s：每位访客 %[2]s 次互动，而近 4 周的中位数是 %[3]s：是不是有屏幕不工作？",
		"%[1]s: %[2]s kiosk sessions per visitor, the 4-week median is %[3]s: is a screen not working?"},
	"note.offline":     {"%[1]s 自 %[2]s 起离线", "%[1]s offline since %[2]s"},
	"note.backlog":     {"设备上还有 %[1]s 个事件待上传", "%[1]s events waiting on devices"},
	"note.backlog.one": {"设备上还有 %[1]s 个事件待上传", "%[1]s event waiting on a device"},
	"note.missing":     {"%[1]s 个事件未收到", "%[1]s events not received"},
	"note.missing.one": {"%[1]s 个事件未收到", "%[1]s event not received"},
	"note.dropped":     {"设备丢弃了 %[1]s 个事件", "%[1]s events dropped by devices"},
	"note.dropped.one": {"设备丢弃了 %[1]s 个事件", "%[1]s event dropped by a device"},
	"state.offline":    {"自 %[1]s 起离线", "offline since %[1]s"},
	"state.never":      {"尚未上报状态", "no status reported yet"},
	"sensor.ok":        {"正常", "ok"},
	"sensor.warn":      {"警告：%[1]s", "warning: %[1]s"},
	"sensor.fault":     {"故障：%[1]s", "fault: %[1]s"},
	"dur.d":            {"%[1]d 天", "%[1]d d"},
	"dur.h":            {"%[1]d 小时", "%[1]d h"},
	"dur.min":          {"%[1]d 分钟", "%[1]d min"},
	"days.n":           {"%[1]v 天", "%[1]v days"},
	"err.range": {"从 %[1]q 到 %[2]q：请给两个日期（年-月-日），先早后晚，相隔不超过 %[3]d 天",
		"from %[1]q and to %[2]q: give two dates yyyy-mm-dd, from first, at most %[3]d days apart"},
	"err.month": {"月份 %[1]q：请写成 年-月（例如 2026-03）", "month %[1]q: want yyyy-mm (e.g. 2026-03)"},
	"err.db":    {"看板读不了 hub 的数据库（%[1]s）：hub 的日志里有原因", "the hub could not read its database (%[1]s): the hub's log says why"},
}

func init() {
	for k, v := range sentences {
		messages[k] = v
	}
}

// AlertText writes an alert's message in v's language from its facts,
// times in loc and durations up to now.
func (v *view) AlertText(a hub.Alert, loc *time.Location, now time.Time) string {
	switch a.Kind {
	case hub.AlertOffline:
		return v.Tf("alertmsg."+a.Kind, a.Device, v.Dur(now.Sub(a.Since)))
	case hub.AlertSensorFault:
		return v.Tf("alertmsg."+a.Kind, a.Device, a.Sensor, v.SensorText(a.State))
	case hub.AlertBacklogGrowing:
		return v.Tf(plural("alertmsg."+a.Kind, int64(a.Backlog)), a.Device, v.Num(int64(a.Backlog)), v.Dur(now.Sub(a.Since)))
	case hub.AlertDoorImbalance:
		return v.Tf("alertmsg."+a.Kind, v.Date(a.Day), v.Num(a.Entries), v.Num(a.Exits))
	case hub.AlertSessionsLow:
		return v.Tf("alertmsg."+a.Kind, v.Date(a.Day), v.Dec(a.Ratio), v.Dec(a.Median))
	}
	// A kind this dashboard does not know (a newer hub): its English.
	return a.Message
}

// deviceState: online, offline since when, or no status yet.
func (v *view) deviceState(d hub.Device, loc *time.Location) string {
	switch {
	case d.Online:
		return v.T("online")
	case !d.Known:
		return v.T("state.never")
	}
	return v.Tf("state.offline", v.Time(d.Since, loc))
}

// plural is key, or key.one for a count of one (English says "1 event";
// Chinese has no plural, and its .one reads as its other).
func plural(key string, n int64) string {
	if n == 1 {
		return key + ".one"
	}
	return key
}

// SensorText writes a sensor's health as the status topic gives it ("ok",
// "warning: …", "fault: …", edge/wire/CONTRACT.md): the level in v's
// language, the device's own detail as it sent it.
func (v *view) SensorText(state string) string {
	switch {
	case state == "ok":
		return v.T("sensor.ok")
	case strings.HasPrefix(state, "warning"):
		return v.Tf("sensor.warn", detail(state, "warning"))
	case strings.HasPrefix(state, "fault"):
		return v.Tf("sensor.fault", detail(state, "fault"))
	}
	return state
}

func detail(state, level string) string {
	d := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(state, level), ":"))
	if d == "" {
		return "—"
	}
	return d
}

// Dur writes a duration to the minute, in its two largest units: 3 天
// 4 小时, 3 d 4 h; 2 小时 5 分钟, 2 h 5 min.
func (v *view) Dur(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 0 {
		m = 0
	}
	days, hours, mins := m/(24*60), m/60%24, m%60
	switch {
	case days > 0 && hours > 0:
		return v.Tf("dur.d", days) + " " + v.Tf("dur.h", hours)
	case days > 0:
		return v.Tf("dur.d", days)
	case hours > 0 && mins > 0:
		return v.Tf("dur.h", hours) + " " + v.Tf("dur.min", mins)
	case hours > 0:
		return v.Tf("dur.h", hours)
	}
	return v.Tf("dur.min", mins)
}

// Dec writes a ratio with two decimals (both languages write a point).
func (v *view) Dec(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// zoneLabel names an instant's offset from UTC: UTC+8, UTC-5, UTC+5:30,
// UTC (so London's summer and winter times are told apart).
func zoneLabel(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := "UTC" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// badInput is a request the user can fix: a message key and its values.
type badInput struct {
	key  string
	args []any
}

func (e badInput) Error() string    { return EN.Tf(e.key, e.args...) }
func (e badInput) BadRequest() bool { return true }

// In writes the error in l.
func (e badInput) In(l Lang) string { return l.Tf(e.key, e.args...) }
