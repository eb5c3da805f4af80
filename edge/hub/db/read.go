package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Bucket is the door, session, feedback and fault counts of one hour or day.
type Bucket struct {
	Entries           int64    `json:"entries"`
	Exits             int64    `json:"exits"`
	AfterHoursEntries int64    `json:"after_hours_entries"`
	AfterHoursExits   int64    `json:"after_hours_exits"`
	Sessions          int64    `json:"sessions"`
	Feedback          [3]int64 `json:"feedback"`
	SensorFaults      int64    `json:"sensor_faults"`
}

// Add adds o into b.
func (b *Bucket) Add(o Bucket) {
	b.Entries += o.Entries
	b.Exits += o.Exits
	b.AfterHoursEntries += o.AfterHoursEntries
	b.AfterHoursExits += o.AfterHoursExits
	b.Sessions += o.Sessions
	for i := range b.Feedback {
		b.Feedback[i] += o.Feedback[i]
	}
	b.SensorFaults += o.SensorFaults
}

// BucketOf takes a Bucket's fields from counters.
func BucketOf(c wire.Counters) Bucket {
	return Bucket{Entries: int64(c.Entries), Exits: int64(c.Exits), AfterHoursEntries: int64(c.AfterHoursEntries),
		AfterHoursExits: int64(c.AfterHoursExits), Sessions: int64(c.Sessions),
		Feedback: [3]int64{int64(c.Feedback[0]), int64(c.Feedback[1]), int64(c.Feedback[2])}, SensorFaults: int64(c.SensorFaults)}
}

const bucketSums = `SUM(entries), SUM(exits), SUM(ah_entries), SUM(ah_exits), SUM(sessions), SUM(fb1), SUM(fb2), SUM(fb3), SUM(faults)`

func (b *Bucket) scanArgs() []any {
	return []any{&b.Entries, &b.Exits, &b.AfterHoursEntries, &b.AfterHoursExits, &b.Sessions, &b.Feedback[0], &b.Feedback[1], &b.Feedback[2], &b.SensorFaults}
}

// Site is a site as stored.
type Site struct {
	Site       string
	TimeZone   string // "" until a device's totals name it
	FirstHeard time.Time
	LastHeard  time.Time
}

// Sites returns every site heard from, by id.
func (d *DB) Sites(ctx context.Context) ([]Site, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, timezone, first_heard, last_heard FROM sites ORDER BY site`)
	if err != nil {
		return nil, fmt.Errorf("sites: %w", err)
	}
	defer rows.Close()
	var out []Site
	for rows.Next() {
		var s Site
		var first, last int64
		if err := rows.Scan(&s.Site, &s.TimeZone, &first, &last); err != nil {
			return nil, err
		}
		s.FirstHeard, s.LastHeard = fromMS(first), fromMS(last)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Device is a device as stored: its latest status and when it was heard.
type Device struct {
	Site, Device string
	FirstHeard   time.Time
	LastHeard    time.Time // any message from the device
	HasStatus    bool
	Online       bool
	// OnlineChanged is when the hub saw Online take its current value.
	OnlineChanged  time.Time
	StatusTime     time.Time // the device's clock in its latest status
	App            string
	Pack           string
	PackVersion    string
	Boot           uint64
	Backlog        uint64
	Dropped        uint64
	Sensors        map[string]string
	ConnectedSince time.Time
	LastError      string
	Epoch          string // the epoch its latest status named
}

// Devices returns the devices of site ("" for every site), by site and id.
func (d *DB) Devices(ctx context.Context, site string) ([]Device, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, device, first_heard, last_heard, has_status, online, online_changed, status_time,
		app, pack, pack_version, boot, backlog, dropped, sensors, connected_since, last_error, epoch
		FROM devices WHERE $1 = '' OR site = $1 ORDER BY site, device`, site)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		var v Device
		var first, last, changed, st, since, boot, backlog, dropped int64
		var has, online int
		var sensors string
		if err := rows.Scan(&v.Site, &v.Device, &first, &last, &has, &online, &changed, &st, &v.App, &v.Pack, &v.PackVersion,
			&boot, &backlog, &dropped, &sensors, &since, &v.LastError, &v.Epoch); err != nil {
			return nil, err
		}
		v.FirstHeard, v.LastHeard, v.OnlineChanged, v.StatusTime, v.ConnectedSince = fromMS(first), fromMS(last), fromMS(changed), fromMS(st), fromMS(since)
		v.HasStatus, v.Online = has != 0, online != 0
		v.Boot, v.Backlog, v.Dropped = uint64(boot), uint64(backlog), uint64(dropped)
		_ = json.Unmarshal([]byte(sensors), &v.Sensors)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Stream is what the hub holds of one (site, device, epoch): the events of
// one device store.
type Stream struct {
	Site, Device, Epoch string
	// CompleteThrough: every event with seq up to it is (or was) stored.
	CompleteThrough uint64
	MaxSeq          uint64 // highest seq received
	FirstHeard      time.Time
	LastHeard       time.Time
}

// Streams returns the streams of site ("" for all), by site, device, epoch.
func (d *DB) Streams(ctx context.Context, site string) ([]Stream, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, device, epoch, complete_through, max_seq, first_heard, last_heard
		FROM streams WHERE $1 = '' OR site = $1 ORDER BY site, device, epoch`, site)
	if err != nil {
		return nil, fmt.Errorf("streams: %w", err)
	}
	defer rows.Close()
	var out []Stream
	for rows.Next() {
		var s Stream
		var ct, mx, first, last int64
		if err := rows.Scan(&s.Site, &s.Device, &s.Epoch, &ct, &mx, &first, &last); err != nil {
			return nil, err
		}
		s.CompleteThrough, s.MaxSeq, s.FirstHeard, s.LastHeard = uint64(ct), uint64(mx), fromMS(first), fromMS(last)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Totals is the latest totals of one device epoch.
type Totals struct {
	Site, Device, Epoch string
	Seq                 uint64
	Boot                uint64
	Time                time.Time // the device's clock
	Date                string    // the day Today counts, in TimeZone
	TimeZone            string
	Lifetime, Today     wire.Counters
	Received            time.Time
}

// Totals returns the kept totals of site ("" for all).
func (d *DB) Totals(ctx context.Context, site string) ([]Totals, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT site, device, epoch, seq, boot, time, date, timezone, lifetime, today, received
		FROM totals WHERE $1 = '' OR site = $1 ORDER BY site, device, epoch`, site)
	if err != nil {
		return nil, fmt.Errorf("totals: %w", err)
	}
	defer rows.Close()
	var out []Totals
	for rows.Next() {
		var t Totals
		var seq, boot, tm, rec int64
		var life, today string
		if err := rows.Scan(&t.Site, &t.Device, &t.Epoch, &seq, &boot, &tm, &t.Date, &t.TimeZone, &life, &today, &rec); err != nil {
			return nil, err
		}
		t.Seq, t.Boot, t.Time, t.Received = uint64(seq), uint64(boot), fromMS(tm), fromMS(rec)
		if err := json.Unmarshal([]byte(life), &t.Lifetime); err != nil {
			return nil, fmt.Errorf("totals %s/%s: %w", t.Site, t.Device, err)
		}
		if err := json.Unmarshal([]byte(today), &t.Today); err != nil {
			return nil, fmt.Errorf("totals %s/%s: %w", t.Site, t.Device, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Hours returns the site's counts per local hour of day (yyyy-mm-dd in the
// site's zone), from the events stored. Index i is the hour starting at
// i:00; on the night clocks go back, the repeated hour is counted once in
// its slot.
func (d *DB) Hours(ctx context.Context, site, day string) ([24]Bucket, error) {
	var out [24]Bucket
	rows, err := d.sql.QueryContext(ctx, `SELECT hour, `+bucketSums+` FROM hourly WHERE site = $1 AND day = $2 GROUP BY hour`, site, day)
	if err != nil {
		return out, fmt.Errorf("hours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h int
		var b Bucket
		if err := rows.Scan(append([]any{&h}, b.scanArgs()...)...); err != nil {
			return out, err
		}
		if h >= 0 && h < 24 {
			out[h] = b
		}
	}
	return out, rows.Err()
}

// Day is one day's counts of a site.
type Day struct {
	Day string // yyyy-mm-dd in the site's zone
	Bucket
	// FromDaily and FromEvents count the device epochs whose part of the
	// day came from the device's closed-day message and from the events
	// stored (for a day not closed yet, or whose message is missing).
	FromDaily, FromEvents int
}

// Days returns the site's counts for each day from..to (inclusive) that has
// any: for each device epoch, its closed-day message when the hub has it
// (the device's own count: exact even if events were lost), else the sum
// of its stored events.
func (d *DB) Days(ctx context.Context, site, from, to string) ([]Day, error) {
	rows, err := d.sql.QueryContext(ctx, `
WITH ev AS (
	SELECT device, epoch, day, `+bucketSumsAs+` FROM hourly WHERE site = $1 AND day >= $2 AND day <= $3 GROUP BY device, epoch, day
), dl AS (
	SELECT device, epoch, day, entries, exits, ah_entries, ah_exits, sessions, fb1, fb2, fb3, faults FROM daily WHERE site = $1 AND day >= $2 AND day <= $3
), k AS (
	SELECT device, epoch, day FROM ev UNION SELECT device, epoch, day FROM dl
)
SELECT k.day,
	SUM(COALESCE(dl.entries, ev.entries)), SUM(COALESCE(dl.exits, ev.exits)), SUM(COALESCE(dl.ah_entries, ev.ah_entries)),
	SUM(COALESCE(dl.ah_exits, ev.ah_exits)), SUM(COALESCE(dl.sessions, ev.sessions)), SUM(COALESCE(dl.fb1, ev.fb1)),
	SUM(COALESCE(dl.fb2, ev.fb2)), SUM(COALESCE(dl.fb3, ev.fb3)), SUM(COALESCE(dl.faults, ev.faults)),
	SUM(CASE WHEN dl.day IS NULL THEN 0 ELSE 1 END), SUM(CASE WHEN dl.day IS NULL THEN 1 ELSE 0 END)
FROM k
LEFT JOIN dl ON dl.device = k.device AND dl.epoch = k.epoch AND dl.day = k.day
LEFT JOIN ev ON ev.device = k.device AND ev.epoch = k.epoch AND ev.day = k.day
GROUP BY k.day ORDER BY k.day`, site, from, to)
	if err != nil {
		return nil, fmt.Errorf("days: %w", err)
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var v Day
		if err := rows.Scan(append(append([]any{&v.Day}, v.scanArgs()...), &v.FromDaily, &v.FromEvents)...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const bucketSumsAs = `SUM(entries) AS entries, SUM(exits) AS exits, SUM(ah_entries) AS ah_entries, SUM(ah_exits) AS ah_exits,
	SUM(sessions) AS sessions, SUM(fb1) AS fb1, SUM(fb2) AS fb2, SUM(fb3) AS fb3, SUM(faults) AS faults`

// Module is one module's funnel over a range of days.
type Module struct {
	Module                     string
	Started, Completed, Passed int64
}

// Modules returns the module funnel of site over from..to, from the events
// stored, by module id.
func (d *DB) Modules(ctx context.Context, site, from, to string) ([]Module, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT module, SUM(started), SUM(completed), SUM(passed) FROM module_day
		WHERE site = $1 AND day >= $2 AND day <= $3 GROUP BY module ORDER BY module`, site, from, to)
	if err != nil {
		return nil, fmt.Errorf("modules: %w", err)
	}
	defer rows.Close()
	var out []Module
	for rows.Next() {
		var m Module
		if err := rows.Scan(&m.Module, &m.Started, &m.Completed, &m.Passed); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Answer is the first answers to one step over a range of days.
type Answer struct {
	Step, Module string
	Right, Wrong int64
}

// Answers returns the answers per step of site over from..to, the most
// often wrong (by share, then count) first.
func (d *DB) Answers(ctx context.Context, site, from, to string) ([]Answer, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT step, MAX(module), SUM(right_n), SUM(wrong_n) FROM answer_day
		WHERE site = $1 AND day >= $2 AND day <= $3 GROUP BY step
		ORDER BY (SUM(wrong_n) * 1.0) / (SUM(right_n) + SUM(wrong_n)) DESC, SUM(wrong_n) DESC, step`, site, from, to)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		var a Answer
		if err := rows.Scan(&a.Step, &a.Module, &a.Right, &a.Wrong); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// EventKey names one stored event.
type EventKey struct {
	Site, Device, Epoch string
	Seq                 uint64
}

// EventStats counts the raw events stored for site ("" for all) and the
// keys stored more than once (never more than 0: the primary key forbids
// it; the tests check it anyway).
func (d *DB) EventStats(ctx context.Context, site string) (events, duplicates int64, err error) {
	err = d.sql.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) - COUNT(DISTINCT site || '/' || device || '/' || epoch || '/' || CAST(seq AS TEXT))
		FROM events WHERE $1 = '' OR site = $1`, site).Scan(&events, &duplicates)
	if err != nil {
		err = fmt.Errorf("event stats: %w", err)
	}
	return
}

// Unbucketed counts the events of site waiting for its time zone.
func (d *DB) Unbucketed(ctx context.Context, site string) (int64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE site = $1 AND day IS NULL`, site).Scan(&n)
	return n, err
}

// Daily returns the closed-day messages of site over from..to.
func (d *DB) Daily(ctx context.Context, site, from, to string) ([]DailyRow, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT device, epoch, day, seq, counters FROM daily
		WHERE site = $1 AND day >= $2 AND day <= $3 ORDER BY day, device, epoch`, site, from, to)
	if err != nil {
		return nil, fmt.Errorf("daily: %w", err)
	}
	defer rows.Close()
	var out []DailyRow
	for rows.Next() {
		var r DailyRow
		var seq int64
		var c string
		if err := rows.Scan(&r.Device, &r.Epoch, &r.Day, &seq, &c); err != nil {
			return nil, err
		}
		r.Seq = uint64(seq)
		if err := json.Unmarshal([]byte(c), &r.Counters); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DailyRow is one device epoch's closed day.
type DailyRow struct {
	Device, Epoch, Day string
	Seq                uint64
	Counters           wire.Counters
}
