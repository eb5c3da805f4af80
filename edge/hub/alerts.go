package hub

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Alert kinds.
const (
	AlertOffline        = "device_offline"
	AlertSensorFault    = "sensor_fault"
	AlertBacklogGrowing = "backlog_growing"
	AlertDoorImbalance  = "door_imbalance"
	AlertSessionsLow    = "sessions_low"
)

// Alert is one open alert.
type Alert struct {
	Kind    string    `json:"kind"`
	Site    string    `json:"site"`
	Device  string    `json:"device,omitempty"`
	Since   time.Time `json:"since,omitzero"`
	Message string    `json:"message"` // for staff, in English
	// The facts the message is made of, so a page can write it in its
	// own language (edge/hub/web does, keyed by Kind); a fact a kind does
	// not have is left out (0 or "").
	Sensor  string  `json:"sensor,omitempty"`  // sensor_fault: the sensor's config name
	State   string  `json:"state,omitempty"`   // sensor_fault: its health as the device sent it ("fault: ...")
	Backlog uint64  `json:"backlog,omitempty"` // backlog_growing: events waiting on the device
	Day     string  `json:"day,omitempty"`     // door_imbalance, sessions_low: the closed day (local yyyy-mm-dd)
	Entries int64   `json:"entries,omitempty"` // door_imbalance: that day's entries
	Exits   int64   `json:"exits,omitempty"`   // door_imbalance: and exits
	Ratio   float64 `json:"ratio,omitempty"`   // sessions_low: kiosk sessions per entry that day
	Median  float64 `json:"median,omitempty"`  // sessions_low: the site's 4-week median of that ratio
}

// Alerts computes the open alerts of every site, by site, kind, device.
func (h *Hub) Alerts(ctx context.Context) ([]Alert, error) {
	sites, err := h.Sites(ctx)
	if err != nil {
		return nil, err
	}
	now := h.opts.Now()
	recent, err := h.recentDays(ctx, sites, now)
	if err != nil {
		return nil, err
	}
	var out []Alert
	for _, s := range sites {
		loc, _ := h.Location(s.TimeZone)
		hours := h.hours(s.Site)
		for _, d := range s.Devices {
			h.back.add(d.Site+"/"+d.Device, now, d.Backlog)
			if !d.Online && hours.Open(now.In(loc)) {
				since := d.Since
				if since.IsZero() {
					since = d.LastHeard
				}
				if now.Sub(since) > h.opts.OfflineAfter {
					out = append(out, Alert{Kind: AlertOffline, Site: s.Site, Device: d.Device, Since: since,
						Message: fmt.Sprintf("%s has been offline for %s during opening hours: check its power and network", d.Device, now.Sub(since).Round(time.Minute))})
				}
			}
			for _, name := range slices.Sorted(mapKeys(d.Sensors)) {
				if v := d.Sensors[name]; v != "ok" && strings.HasPrefix(v, "fault") {
					out = append(out, Alert{Kind: AlertSensorFault, Site: s.Site, Device: d.Device, Since: d.LastHeard, Sensor: name, State: v,
						Message: fmt.Sprintf("%s: sensor %s reports %q", d.Device, name, v)})
				}
			}
			if since, ok := h.back.growing(d.Site+"/"+d.Device, now); ok && d.Backlog > 0 {
				out = append(out, Alert{Kind: AlertBacklogGrowing, Site: s.Site, Device: d.Device, Since: since, Backlog: d.Backlog,
					Message: fmt.Sprintf("%s: %d events waiting to be sent, and growing for %s: its uplink cannot reach the broker", d.Device, d.Backlog, now.Sub(since).Round(time.Minute))})
			}
		}
		out = append(out, h.closedDayAlerts(s, now.In(loc), recent[s.Site])...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Site != b.Site {
			return a.Site < b.Site
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Device < b.Device
	})
	if out == nil {
		out = []Alert{}
	}
	return out, nil
}

// closedDayAlerts looks at yesterday (the last closed day, local): door
// imbalance at closing, and kiosk sessions per entry against the site's own
// 4-week median.
func (h *Hub) closedDayAlerts(s Site, now time.Time, rows []db.Day) []Alert {
	if s.TimeZone == "" {
		return nil
	}
	today := now.Format(wire.DateLayout)
	yesterday := shift(today, -1)
	days := fillDays(s.Site, s.TimeZone, shift(today, -29), yesterday, rows)
	last := days.Days[len(days.Days)-1]
	midnight, _ := time.ParseInLocation(wire.DateLayout, today, now.Location())
	var out []Alert
	e, x := last.Entries, last.Exits
	if last.HasData && e+x >= h.opts.ImbalanceMin {
		if diff := abs(e - x); float64(diff) > h.opts.ImbalanceShare*float64(max(e, x)) {
			out = append(out, Alert{Kind: AlertDoorImbalance, Site: s.Site, Since: midnight, Day: yesterday, Entries: e, Exits: x,
				Message: fmt.Sprintf("%s: %d entries but %d exits (a beam out of line or blocked?)", yesterday, e, x)})
		}
	}
	var ratios []float64
	for _, d := range days.Days[:len(days.Days)-1] {
		if d.HasData && d.Entries >= h.opts.ImbalanceMin {
			ratios = append(ratios, float64(d.Sessions)/float64(d.Entries))
		}
	}
	if len(ratios) >= 7 && last.Entries >= h.opts.ImbalanceMin {
		slices.Sort(ratios)
		median := ratios[len(ratios)/2]
		if len(ratios)%2 == 0 {
			median = (ratios[len(ratios)/2-1] + ratios[len(ratios)/2]) / 2
		}
		r := float64(last.Sessions) / float64(last.Entries)
		if median > 0 && r < h.opts.SessionsShare*median {
			out = append(out, Alert{Kind: AlertSessionsLow, Site: s.Site, Since: midnight, Day: yesterday, Ratio: r, Median: median,
				Message: fmt.Sprintf("%s: %.2f kiosk sessions per visitor, the 4-week median is %.2f: is a screen not working?", yesterday, r, median)})
		}
	}
	return out
}

// recentDays reads the four weeks before today of every site with a time
// zone in one query (db.AllDays), by site: one Days query a site made the
// alerts of 200 rooms cost about 0.7 s of CPU. Sites' todays differ by
// zone, so the query spans all of them and each site keeps its own range.
func (h *Hub) recentDays(ctx context.Context, sites []Site, now time.Time) (map[string][]db.Day, error) {
	var from, to string
	ranges := map[string][2]string{}
	for _, s := range sites {
		if s.TimeZone == "" {
			continue
		}
		loc, _ := h.Location(s.TimeZone)
		today := now.In(loc).Format(wire.DateLayout)
		f, t := shift(today, -29), shift(today, -1)
		ranges[s.Site] = [2]string{f, t}
		if from == "" || f < from {
			from = f
		}
		if t > to {
			to = t
		}
	}
	out := map[string][]db.Day{}
	if len(ranges) == 0 {
		return out, nil
	}
	rows, err := h.db.AllDays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if rg, ok := ranges[r.Site]; ok && r.Day.Day >= rg[0] && r.Day.Day <= rg[1] {
			out[r.Site] = append(out[r.Site], r.Day)
		}
	}
	return out, nil
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func (h *Hub) hours(site string) config.Schedule {
	if s, ok := h.opts.OpeningHours[site]; ok {
		return s
	}
	return h.opts.DefaultHours
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// backlogHistory remembers each device's reported backlog over the last
// hour and a bit, sampled whenever alerts are computed (the run loop does
// so every minute), to tell a backlog that keeps growing from one that
// drains.
type backlogHistory struct {
	mu      sync.Mutex
	samples map[string][]backlogSample
}

type backlogSample struct {
	at      time.Time
	backlog uint64
}

func newBacklogHistory() *backlogHistory {
	return &backlogHistory{samples: map[string][]backlogSample{}}
}

func (b *backlogHistory) add(dev string, now time.Time, backlog uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.samples[dev]
	if len(s) > 0 && now.Sub(s[len(s)-1].at) < 30*time.Second {
		s[len(s)-1].backlog = backlog
		return
	}
	s = append(s, backlogSample{now, backlog})
	for len(s) > 2 && now.Sub(s[1].at) > time.Hour {
		s = s[1:]
	}
	b.samples[dev] = s
}

// growing reports whether the backlog grew over at least the last hour
// without ever shrinking, and since when.
func (b *backlogHistory) growing(dev string, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.samples[dev]
	if len(s) < 2 || now.Sub(s[0].at) < time.Hour {
		return time.Time{}, false
	}
	for i := 1; i < len(s); i++ {
		if s[i].backlog < s[i-1].backlog {
			return time.Time{}, false
		}
	}
	return s[0].at, s[len(s)-1].backlog > s[0].backlog
}
