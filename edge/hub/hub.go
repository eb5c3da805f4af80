package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// ErrUnknownSite is returned for a site the hub has never heard from.
var ErrUnknownSite = errors.New("hub: unknown site")

// Options are the hub's thresholds. Zero fields get safe defaults.
type Options struct {
	// OfflineAfter: a device silent or offline this long during its
	// site's opening hours raises an alert (default 15 min).
	OfflineAfter time.Duration
	// OpeningHours per site id; a site not named uses Default. An empty
	// schedule is always open.
	OpeningHours map[string]config.Schedule
	DefaultHours config.Schedule
	// ImbalanceShare: a closed day whose entries and exits differ by more
	// than this share of the larger raises an alert (default 0.1), once
	// the day had at least ImbalanceMin door events (default 20).
	ImbalanceShare float64
	ImbalanceMin   int64
	// SessionsShare: a closed day whose kiosk sessions per door entry are
	// below this share of the site's 4-week median raises an alert
	// (default 0.5), once the day had at least ImbalanceMin entries.
	SessionsShare float64
	// Questions returns a step's question text per language for the pack
	// a device reports ("" when unknown); nil: no texts.
	Questions func(pack, step string) map[string]string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Hub answers the dashboard's questions from the database: typed results,
// in each site's own time zone, each saying how complete it is.
type Hub struct {
	db   *db.DB
	opts Options
	back *backlogHistory
}

// New returns a hub reading d.
func New(d *db.DB, opts Options) *Hub {
	if opts.OfflineAfter <= 0 {
		opts.OfflineAfter = 15 * time.Minute
	}
	if opts.ImbalanceShare <= 0 {
		opts.ImbalanceShare = 0.1
	}
	if opts.ImbalanceMin <= 0 {
		opts.ImbalanceMin = 20
	}
	if opts.SessionsShare <= 0 {
		opts.SessionsShare = 0.5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Hub{db: d, opts: opts, back: newBacklogHistory()}
}

// DB is the hub's database.
func (h *Hub) DB() *db.DB { return h.db }

// Stream is the completeness of one device store (epoch) of a device.
type Stream struct {
	Epoch string `json:"epoch"`
	// CompleteThrough: every event up to this seq is stored.
	CompleteThrough uint64 `json:"complete_through"`
	MaxSeq          uint64 `json:"max_seq"`    // highest seq received
	TotalsSeq       uint64 `json:"totals_seq"` // the seq the latest totals include
	// Missing counts events the totals include that are not stored
	// (totals seq minus complete-through), 0 when complete.
	Missing uint64 `json:"missing"`
}

// Device is a device and its health.
type Device struct {
	Site      string    `json:"site"`
	Device    string    `json:"device"`
	Known     bool      `json:"has_status"` // a status was received
	Online    bool      `json:"online"`
	Since     time.Time `json:"since,omitzero"` // online or offline since (when the hub saw it)
	LastHeard time.Time `json:"last_heard"`
	App       string    `json:"app,omitempty"`
	Pack      string    `json:"pack,omitempty"`
	PackVer   string    `json:"pack_version,omitempty"`
	Boot      uint64    `json:"boot"`
	Backlog   uint64    `json:"backlog"`
	Dropped   uint64    `json:"dropped"`
	// Sensors maps a sensor to "ok" or its fault.
	Sensors   map[string]string `json:"sensors"`
	LastError string            `json:"last_error,omitempty"`
	Epoch     string            `json:"epoch,omitempty"`
	Streams   []Stream          `json:"streams"`
	// Complete: online, no backlog, nothing missing.
	Complete bool `json:"complete"`
}

// Completeness says how far a site's numbers can be trusted right now.
type Completeness struct {
	Devices int `json:"devices"`
	Online  int `json:"online"`
	// Offline lists the devices offline (or never seen online), with
	// since when.
	Offline []Offline `json:"offline"`
	Backlog uint64    `json:"backlog"` // events the devices hold unsent
	Missing uint64    `json:"missing"` // events counted in totals, not stored here
	Dropped uint64    `json:"dropped"` // events devices deleted unsent (counted in totals)
	// Complete: every device online, nothing in a backlog, nothing missing.
	Complete bool `json:"complete"`
}

// Offline is a device that is not online.
type Offline struct {
	Device string    `json:"device"`
	Since  time.Time `json:"since,omitzero"`
}

// Site is a site's summary: the numbers of its overview row.
type Site struct {
	Site     string `json:"site"`
	TimeZone string `json:"timezone"` // "" until a device names it
	// Date is today in the site's zone.
	Date string `json:"date"`
	// Lifetime sums the latest totals of every device epoch.
	Lifetime wire.Counters `json:"lifetime"`
	// Today sums the totals that count today; TodayKnown is false when no
	// device has reported today yet (not the same as 0).
	Today      wire.Counters `json:"today"`
	TodayKnown bool          `json:"today_known"`
	// InRoom is today's entries minus exits, floored at 0.
	InRoom       uint64       `json:"in_room"`
	LastHeard    time.Time    `json:"last_heard"`
	Completeness Completeness `json:"completeness"`
	Devices      []Device     `json:"devices"`
}

// Location returns a site's time zone; UTC is never assumed silently: ok
// is false until a device named the zone.
func (h *Hub) Location(tz string) (loc *time.Location, ok bool) {
	if tz == "" {
		return time.UTC, false
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC, false
	}
	return loc, true
}

// Sites returns every site's summary, by id.
func (h *Hub) Sites(ctx context.Context) ([]Site, error) {
	sites, err := h.db.Sites(ctx)
	if err != nil {
		return nil, err
	}
	devices, err := h.db.Devices(ctx, "")
	if err != nil {
		return nil, err
	}
	streams, err := h.db.Streams(ctx, "")
	if err != nil {
		return nil, err
	}
	totals, err := h.db.Totals(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]Site, 0, len(sites))
	for _, s := range sites {
		out = append(out, h.site(s, filter(devices, func(d db.Device) bool { return d.Site == s.Site }),
			filter(streams, func(x db.Stream) bool { return x.Site == s.Site }),
			filter(totals, func(x db.Totals) bool { return x.Site == s.Site })))
	}
	return out, nil
}

// Site returns one site's summary.
func (h *Hub) Site(ctx context.Context, site string) (Site, error) {
	sites, err := h.db.Sites(ctx)
	if err != nil {
		return Site{}, err
	}
	i := slices.IndexFunc(sites, func(s db.Site) bool { return s.Site == site })
	if i < 0 {
		return Site{}, fmt.Errorf("%w %q", ErrUnknownSite, site)
	}
	devices, err := h.db.Devices(ctx, site)
	if err != nil {
		return Site{}, err
	}
	streams, err := h.db.Streams(ctx, site)
	if err != nil {
		return Site{}, err
	}
	totals, err := h.db.Totals(ctx, site)
	if err != nil {
		return Site{}, err
	}
	return h.site(sites[i], devices, streams, totals), nil
}

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func (h *Hub) site(s db.Site, devices []db.Device, streams []db.Stream, totals []db.Totals) Site {
	loc, _ := h.Location(s.TimeZone)
	now := h.opts.Now()
	out := Site{Site: s.Site, TimeZone: s.TimeZone, Date: now.In(loc).Format(wire.DateLayout), LastHeard: s.LastHeard}
	totalsSeq := map[[2]string]uint64{}
	for _, t := range totals {
		out.Lifetime.Merge(t.Lifetime)
		if t.Date == out.Date {
			out.Today.Merge(t.Today)
			out.TodayKnown = true
		}
		totalsSeq[[2]string{t.Device, t.Epoch}] = t.Seq
	}
	if out.Today.Entries > out.Today.Exits {
		out.InRoom = out.Today.Entries - out.Today.Exits
	}
	c := Completeness{Offline: []Offline{}}
	byDevice := map[string][]Stream{}
	for _, x := range streams {
		st := Stream{Epoch: x.Epoch, CompleteThrough: x.CompleteThrough, MaxSeq: x.MaxSeq, TotalsSeq: totalsSeq[[2]string{x.Device, x.Epoch}]}
		delete(totalsSeq, [2]string{x.Device, x.Epoch})
		if st.TotalsSeq > st.CompleteThrough {
			st.Missing = st.TotalsSeq - st.CompleteThrough
		}
		byDevice[x.Device] = append(byDevice[x.Device], st)
	}
	// Totals of an epoch whose events never arrived at all.
	for k, seq := range totalsSeq {
		byDevice[k[0]] = append(byDevice[k[0]], Stream{Epoch: k[1], TotalsSeq: seq, Missing: seq})
	}
	for _, d := range devices {
		dev := Device{Site: d.Site, Device: d.Device, Known: d.HasStatus, Online: d.HasStatus && d.Online, Since: d.OnlineChanged,
			LastHeard: d.LastHeard, App: d.App, Pack: d.Pack, PackVer: d.PackVersion, Boot: d.Boot, Backlog: d.Backlog,
			Dropped: d.Dropped, Sensors: d.Sensors, LastError: d.LastError, Epoch: d.Epoch, Streams: byDevice[d.Device]}
		if dev.Sensors == nil {
			dev.Sensors = map[string]string{}
		}
		if dev.Streams == nil {
			dev.Streams = []Stream{}
		}
		sort.Slice(dev.Streams, func(i, j int) bool { return dev.Streams[i].Epoch < dev.Streams[j].Epoch })
		var missing uint64
		for _, st := range dev.Streams {
			missing += st.Missing
		}
		dev.Complete = dev.Online && dev.Backlog == 0 && missing == 0
		c.Devices++
		if dev.Online {
			c.Online++
		} else {
			since := dev.Since
			if !d.HasStatus {
				since = d.FirstHeard
			}
			c.Offline = append(c.Offline, Offline{Device: d.Device, Since: since})
		}
		c.Backlog += dev.Backlog
		c.Dropped += dev.Dropped
		c.Missing += missing
		out.Devices = append(out.Devices, dev)
	}
	if out.Devices == nil {
		out.Devices = []Device{}
	}
	c.Complete = c.Online == c.Devices && c.Backlog == 0 && c.Missing == 0
	out.Completeness = c
	return out
}

// Hours is a site's counts per hour of one local day.
type Hours struct {
	Site     string `json:"site"`
	Date     string `json:"date"`
	TimeZone string `json:"timezone"`
	// Hours[i] counts the hour from i:00 local time (the hour repeated when
	// clocks go back is counted once, in its slot).
	Hours [24]db.Bucket `json:"hours"`
	// HasData is false when no event of the day is stored (not 0 people:
	// nothing is known).
	HasData bool `json:"has_data"`
}

// Hours returns the site's entries (and the rest) per hour of date.
func (h *Hub) Hours(ctx context.Context, site, date string) (Hours, error) {
	s, err := h.siteRow(ctx, site)
	if err != nil {
		return Hours{}, err
	}
	if _, err := time.Parse(wire.DateLayout, date); err != nil {
		return Hours{}, fmt.Errorf("hub: date %q: want yyyy-mm-dd", date)
	}
	hs, err := h.db.Hours(ctx, site, date)
	if err != nil {
		return Hours{}, err
	}
	out := Hours{Site: site, Date: date, TimeZone: s.TimeZone, Hours: hs}
	for _, b := range hs {
		if b != (db.Bucket{}) {
			out.HasData = true
		}
	}
	return out, nil
}

// Compared is a series with the same range a week and a year earlier.
type Compared[T any] struct {
	This    T `json:"this"`
	WeekAgo T `json:"week_ago"`
	YearAgo T `json:"year_ago"`
}

// HoursCompared returns Hours of date and of the same weekday a week
// earlier and a year (52 weeks) earlier.
func (h *Hub) HoursCompared(ctx context.Context, site, date string) (Compared[Hours], error) {
	var c Compared[Hours]
	var err error
	if c.This, err = h.Hours(ctx, site, date); err != nil {
		return c, err
	}
	if c.WeekAgo, err = h.Hours(ctx, site, shift(date, -7)); err != nil {
		return c, err
	}
	c.YearAgo, err = h.Hours(ctx, site, shift(date, -364))
	return c, err
}

func shift(date string, days int) string {
	t, _ := time.Parse(wire.DateLayout, date)
	return t.AddDate(0, 0, days).Format(wire.DateLayout)
}

// Day is one day's counts of a site.
type Day struct {
	Date string `json:"date"`
	db.Bucket
	// HasData is false for a day with nothing stored (not 0 people).
	HasData bool `json:"has_data"`
	// FromDaily and FromEvents count the device stores whose part of the
	// day came from their closed-day message (exact) and from the events
	// stored here.
	FromDaily  int `json:"from_daily"`
	FromEvents int `json:"from_events"`
}

// Days is a site's counts for each day of a range, every day present.
type Days struct {
	Site     string    `json:"site"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	TimeZone string    `json:"timezone"`
	Days     []Day     `json:"days"`
	Total    db.Bucket `json:"total"`
}

// MaxDays is the longest range Days serves at once.
const MaxDays = 3 * 366

// Days returns the site's counts per day from..to (inclusive, local days).
func (h *Hub) Days(ctx context.Context, site, from, to string) (Days, error) {
	s, err := h.siteRow(ctx, site)
	if err != nil {
		return Days{}, err
	}
	if _, _, err := dateRange(from, to); err != nil {
		return Days{}, err
	}
	rows, err := h.db.Days(ctx, site, from, to)
	if err != nil {
		return Days{}, err
	}
	return fillDays(site, s.TimeZone, from, to, rows), nil
}

// fillDays makes Days of the rows of from..to (valid dates), every day
// present.
func fillDays(site, tz, from, to string, rows []db.Day) Days {
	f, _ := time.Parse(wire.DateLayout, from)
	t, _ := time.Parse(wire.DateLayout, to)
	byDay := map[string]db.Day{}
	for _, r := range rows {
		byDay[r.Day] = r
	}
	out := Days{Site: site, From: from, To: to, TimeZone: tz}
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		ds := d.Format(wire.DateLayout)
		r, ok := byDay[ds]
		out.Days = append(out.Days, Day{Date: ds, Bucket: r.Bucket, HasData: ok, FromDaily: r.FromDaily, FromEvents: r.FromEvents})
		out.Total.Add(r.Bucket)
	}
	return out
}

// DaysCompared returns Days of from..to and of the same range a week and a
// year (52 weeks, so weekdays line up) earlier.
func (h *Hub) DaysCompared(ctx context.Context, site, from, to string) (Compared[Days], error) {
	var c Compared[Days]
	var err error
	if c.This, err = h.Days(ctx, site, from, to); err != nil {
		return c, err
	}
	if c.WeekAgo, err = h.Days(ctx, site, shift(from, -7), shift(to, -7)); err != nil {
		return c, err
	}
	c.YearAgo, err = h.Days(ctx, site, shift(from, -364), shift(to, -364))
	return c, err
}

func dateRange(from, to string) (time.Time, time.Time, error) {
	f, err := time.Parse(wire.DateLayout, from)
	if err != nil {
		return f, f, fmt.Errorf("hub: from %q: want yyyy-mm-dd", from)
	}
	t, err := time.Parse(wire.DateLayout, to)
	if err != nil {
		return f, t, fmt.Errorf("hub: to %q: want yyyy-mm-dd", to)
	}
	if t.Before(f) {
		return f, t, fmt.Errorf("hub: to %s is before from %s", to, from)
	}
	if t.Sub(f) > MaxDays*24*time.Hour {
		return f, t, fmt.Errorf("hub: at most %d days at once", MaxDays)
	}
	return f, t, nil
}

func (h *Hub) siteRow(ctx context.Context, site string) (db.Site, error) {
	sites, err := h.db.Sites(ctx)
	if err != nil {
		return db.Site{}, err
	}
	for _, s := range sites {
		if s.Site == site {
			return s, nil
		}
	}
	return db.Site{}, fmt.Errorf("%w %q", ErrUnknownSite, site)
}

// Funnel is the module funnel of a range: kiosk sessions, then per module
// started, completed and passed.
type Funnel struct {
	Site     string      `json:"site"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	Sessions int64       `json:"sessions"`
	Modules  []db.Module `json:"modules"`
}

// Funnel returns the module funnel of from..to, from the events stored.
func (h *Hub) Funnel(ctx context.Context, site, from, to string) (Funnel, error) {
	days, err := h.Days(ctx, site, from, to)
	if err != nil {
		return Funnel{}, err
	}
	return h.FunnelOf(ctx, days)
}

// FunnelOf is Funnel of the range of days, a Days result the caller already
// has (the site page shows both: a year of Days is its costliest query).
func (h *Hub) FunnelOf(ctx context.Context, days Days) (Funnel, error) {
	site, from, to := days.Site, days.From, days.To
	mods, err := h.db.Modules(ctx, site, from, to)
	if err != nil {
		return Funnel{}, err
	}
	if mods == nil {
		mods = []db.Module{}
	}
	return Funnel{Site: site, From: from, To: to, Sessions: days.Total.Sessions, Modules: mods}, nil
}

// Answer is the first answers to one question over a range.
type Answer struct {
	db.Answer
	WrongShare float64 `json:"wrong_share"`
	// Question is the question's text per language, from the pack the
	// site's devices report; empty when the hub does not have that pack.
	Question map[string]string `json:"question"`
}

// Answers returns the answers per question of from..to, hardest first;
// questions with fewer than minAnswers answers are left out.
func (h *Hub) Answers(ctx context.Context, site, from, to string, minAnswers int64) ([]Answer, error) {
	if _, _, err := dateRange(from, to); err != nil {
		return nil, err
	}
	if _, err := h.siteRow(ctx, site); err != nil {
		return nil, err
	}
	rows, err := h.db.Answers(ctx, site, from, to)
	if err != nil {
		return nil, err
	}
	devices, err := h.db.Devices(ctx, site)
	if err != nil {
		return nil, err
	}
	var packs []string
	for _, d := range devices {
		if d.Pack != "" && !slices.Contains(packs, d.Pack) {
			packs = append(packs, d.Pack)
		}
	}
	out := []Answer{}
	for _, r := range rows {
		n := r.Right + r.Wrong
		if n < minAnswers || n == 0 {
			continue
		}
		a := Answer{Answer: r, WrongShare: float64(r.Wrong) / float64(n), Question: map[string]string{}}
		if h.opts.Questions != nil {
			for _, p := range packs {
				if q := h.opts.Questions(p, r.Step); len(q) > 0 {
					a.Question = q
					break
				}
			}
		}
		out = append(out, a)
	}
	return out, nil
}
