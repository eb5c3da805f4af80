package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Schedule is a weekly opening-hours table. The zero Schedule (no entries in
// the file) is always open.
type Schedule struct {
	set  bool
	days [7][]span // indexed by time.Weekday
}

type span struct{ from, to int } // minutes since midnight, to > from

// ScheduleError names the opening_hours entry that is wrong.
type ScheduleError struct {
	Key   string
	Msg   string
	InKey bool // the day names are wrong, not the hours
}

func (e *ScheduleError) Error() string { return e.Msg }

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func dayIndex(s string) (int, bool) {
	for i, d := range dayNames {
		if d == s {
			return i, true
		}
	}
	return 0, false
}

// ParseSchedule reads opening hours like {mon-fri: "09:00-17:30", sat-sun:
// "10:00-17:00", wed: closed}. Keys are a day (mon), a range of days
// (mon-fri, fri-mon wraps) or daily; values are "HH:MM-HH:MM", several of
// them separated by commas, or "closed". A later, narrower key does not
// override a wider one: each day may be named only once.
func ParseSchedule(m map[string]string) (Schedule, error) {
	var s Schedule
	if len(m) == 0 {
		return s, nil
	}
	s.set = true
	named := map[int]string{}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		days, err := parseDays(key)
		if err != nil {
			return s, &ScheduleError{Key: key, Msg: err.Error(), InKey: true}
		}
		spans, err := parseSpans(m[key])
		if err != nil {
			return s, &ScheduleError{Key: key, Msg: err.Error()}
		}
		for _, d := range days {
			if other, dup := named[d]; dup {
				return s, &ScheduleError{Key: key, Msg: fmt.Sprintf("%s is already covered by %s; name each day once", dayNames[d], other), InKey: true}
			}
			named[d] = key
			s.days[d] = spans
		}
	}
	return s, nil
}

func parseDays(key string) ([]int, error) {
	bad := fmt.Errorf("%q is not a day or range of days; use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or daily", key)
	if key == "daily" {
		return []int{0, 1, 2, 3, 4, 5, 6}, nil
	}
	from, to, isRange := strings.Cut(key, "-")
	a, ok := dayIndex(from)
	if !ok {
		return nil, bad
	}
	if !isRange {
		return []int{a}, nil
	}
	b, ok := dayIndex(to)
	if !ok {
		return nil, bad
	}
	var days []int
	for d := a; ; d = (d + 1) % 7 {
		days = append(days, d)
		if d == b {
			return days, nil
		}
	}
}

func parseSpans(v string) ([]span, error) {
	v = strings.TrimSpace(v)
	if v == "closed" {
		return nil, nil
	}
	var spans []span
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		a, b, ok := strings.Cut(part, "-")
		from, err1 := parseClock(a)
		to, err2 := parseClock(b)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%q is not opening hours; write them like \"09:00-17:30\", or closed", v)
		}
		if to <= from {
			return nil, fmt.Errorf("%q closes before it opens; write the earlier time first, like \"09:00-17:30\"", part)
		}
		spans = append(spans, span{from, to})
	}
	return spans, nil
}

func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Open reports whether t (in the site's time zone) is within opening hours.
func (s Schedule) Open(t time.Time) bool {
	if !s.set {
		return true
	}
	m := t.Hour()*60 + t.Minute()
	for _, sp := range s.days[t.Weekday()] {
		if m >= sp.from && m < sp.to {
			return true
		}
	}
	return false
}

// AlwaysOpen reports whether the schedule has no entries.
func (s Schedule) AlwaysOpen() bool { return !s.set }

// Lines describes the week for a "closed" screen: one line per day, Monday
// first, in the form "mon 09:00-17:30" (or "mon closed").
func (s Schedule) Lines() []string {
	var out []string
	for i := 1; i <= 7; i++ {
		d := i % 7
		spans := s.days[d]
		if !s.set {
			out = append(out, dayNames[d]+" 00:00-24:00")
			continue
		}
		if len(spans) == 0 {
			out = append(out, dayNames[d]+" closed")
			continue
		}
		parts := make([]string, len(spans))
		for j, sp := range spans {
			parts[j] = fmt.Sprintf("%02d:%02d-%02d:%02d", sp.from/60, sp.from%60, sp.to/60, sp.to%60)
		}
		out = append(out, dayNames[d]+" "+strings.Join(parts, ","))
	}
	return out
}

// Schedule returns the parsed opening hours (validated by Load).
func (k Kiosk) Schedule() Schedule {
	s, _ := ParseSchedule(k.OpeningHours)
	return s
}

// NextOpen is the first moment at or after t (in t's zone) when the room
// is open, within the coming week: the closed screen says it ("opens today
// at 13:30"). ok is false when the week has no opening hours at all, or
// the schedule is empty (always open: there is nothing to wait for).
func (s Schedule) NextOpen(t time.Time) (at time.Time, ok bool) {
	if !s.set {
		return time.Time{}, false
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	now := t.Hour()*60 + t.Minute()
	for i := 0; i <= 7; i++ {
		d := day.AddDate(0, 0, i)
		for _, sp := range s.days[d.Weekday()] {
			switch {
			case i > 0 || sp.from >= now:
				return d.Add(time.Duration(sp.from) * time.Minute), true
			case now < sp.to:
				return t, true // open now
			}
		}
	}
	return time.Time{}, false
}
