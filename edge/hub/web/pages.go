package web

import (
	"cmp"
	"context"
	"errors"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Cell is one number as shown: its text, and whether it is known and
// complete. A number nothing is known of reads "no data yet", never 0.
type Cell struct {
	Value      int64
	Known      bool
	Incomplete bool
	Pending    bool // still being counted
	Text       string
}

// pending is a number still being counted (the dashboard has just
// started): it says so, and the overview's live stream brings it.
func (v *view) pending() Cell { return Cell{Text: v.T("counting"), Pending: true} }

// pendingRows: some number of the overview is still being counted.
func pendingRows(rows []SiteRow) bool {
	for _, r := range rows {
		if r.AlertsPending || r.Week.Pending || r.Year.Pending {
			return true
		}
	}
	return false
}

func (v *view) cell(n int64, known, incomplete bool) Cell {
	c := Cell{Value: n, Known: known, Incomplete: known && incomplete}
	if known {
		c.Text = v.Num(n)
	} else {
		c.Text = v.T("nodata")
	}
	return c
}

// SiteRow is a site's row of the overview.
type SiteRow struct {
	Site, TimeZone  string
	TZKnown         bool
	Today, InRoom   Cell
	Week, Year      Cell
	Sessions        Cell
	Online, Devices int
	Alerts          int
	AlertsPending   bool // still being counted (the dashboard has just started)
	// Notes say why numbers are incomplete: a device offline since,
	// a backlog, events not received.
	Notes     []string
	Attention int
}

// location returns a site's zone and whether it is known.
func (s *Server) location(tz string) (*time.Location, bool) { return s.hub.Location(tz) }

func (s *Server) overviewRows(ctx context.Context, v *view) ([]SiteRow, error) {
	sites, err := s.hub.Sites(ctx)
	if err != nil {
		return nil, err
	}
	alerts, ready, err := s.alertsIfReady(ctx, false)
	if err != nil {
		return nil, err
	}
	perSite := map[string]int{}
	for _, a := range alerts {
		perSite[a.Site]++
	}
	past, err := s.pastSums(ctx, sites, false)
	if err != nil {
		return nil, err
	}
	rows := make([]SiteRow, 0, len(sites))
	for _, st := range sites {
		r := s.siteRow(v, st, perSite[st.Site], past)
		r.AlertsPending = !ready
		rows = append(rows, r)
	}
	// What needs attention first: open alerts, then devices offline, then
	// incomplete numbers; then by id.
	slices.SortStableFunc(rows, func(a, b SiteRow) int {
		return cmp.Or(cmp.Compare(b.Attention, a.Attention), cmp.Compare(a.Site, b.Site))
	})
	return rows, nil
}

func (s *Server) siteRow(v *view, st hub.Site, alerts int, past map[rangeKey]rangeSum) SiteRow {
	loc, known := s.location(st.TimeZone)
	c := st.Completeness
	inc := !c.Complete
	r := SiteRow{Site: st.Site, TimeZone: st.TimeZone, TZKnown: known, Online: c.Online, Devices: c.Devices, Alerts: alerts}
	r.Today = v.cell(int64(st.Today.Entries), st.TodayKnown, inc)
	r.InRoom = v.cell(int64(st.InRoom), st.TodayKnown, inc)
	r.Sessions = v.cell(int64(st.Today.Sessions), st.TodayKnown, inc)
	if known {
		// Today's part is the devices' own count (the totals, as in the
		// today column), so the three agree; earlier days are the hub's.
		week, year, weekHas, yearHas, ok := weekYear(st, loc, past)
		r.Week, r.Year = v.cell(week.Entries, weekHas, inc), v.cell(year.Entries, yearHas, inc)
		if !ok {
			r.Week, r.Year = v.pending(), v.pending()
		}
	} else {
		r.Week, r.Year = v.cell(0, false, false), v.cell(0, false, false)
	}
	r.Notes = v.notes(c, loc)
	r.Attention = alerts*100 + (c.Devices-c.Online)*10
	if inc {
		r.Attention++
	}
	return r
}

func anyData(days []hub.Day) bool {
	return slices.ContainsFunc(days, func(d hub.Day) bool { return d.HasData })
}

// notes say why a site's numbers are incomplete.
func (v *view) notes(c hub.Completeness, loc *time.Location) []string {
	var out []string
	for _, o := range c.Offline {
		out = append(out, v.Tf("note.offline", o.Device, v.Time(o.Since, loc)))
	}
	if c.Backlog > 0 {
		out = append(out, v.Tf(plural("note.backlog", int64(c.Backlog)), v.Num(int64(c.Backlog))))
	}
	if c.Missing > 0 {
		out = append(out, v.Tf(plural("note.missing", int64(c.Missing)), v.Num(int64(c.Missing))))
	}
	if c.Dropped > 0 {
		out = append(out, v.Tf(plural("note.dropped", int64(c.Dropped)), v.Num(int64(c.Dropped))))
	}
	return out
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, v *view) {
	ctx, cancel := queryContext(r)
	defer cancel()
	rows, err := s.overviewRows(ctx, v)
	if err != nil {
		s.queryFailed(w, v, err)
		return
	}
	v.Title = v.T("overview.title")
	s.render(w, v, "overview", rows)
}

func (s *Server) queryFailed(w http.ResponseWriter, v *view, err error) {
	if errors.Is(err, hub.ErrUnknownSite) {
		s.fail(w, v, http.StatusNotFound, v.T("unknown.site"))
		return
	}
	var bad badInput
	if errors.As(err, &bad) {
		s.fail(w, v, http.StatusBadRequest, bad.In(v.Lang))
		return
	}
	s.opts.Log.Error("dashboard: query", "err", err)
	s.fail(w, v, http.StatusInternalServerError, v.Tf("err.db", err.Error()))
}

// SitePage is the site page's data.
type SitePage struct {
	Row      SiteRow
	Site     hub.Site
	Loc      *time.Location
	Range    int
	Ranges   []int
	From, To string

	HoursChart template.HTML
	Hours      []HourRow
	HoursData  bool

	DaysChart template.HTML
	Days      []hub.Day
	DaysTotal db.Bucket
	DaysData  bool

	Devices  []DeviceRow
	Funnel   hub.Funnel
	Hardest  []hub.Answer
	MinAns   int64
	Feedback [3]int64
	Alerts   []AlertRow

	SiteOffer *SiteOffer // the offer to the whole site (nil: none)
	CanOffer  bool       // the user may withdraw and roll back offers
	Done      string     // what the offer action just done did
}

// HourRow is one hour of today against the same weekday last week.
type HourRow struct {
	Hour           int
	Today, WeekAgo int64
}

// DeviceRow is one device as the table shows it.
type DeviceRow struct {
	hub.Device
	LastHeard       string
	State           string // online, or offline since when
	CompleteThrough uint64
	Missing         uint64
	Sensors         []SensorState
	Offer           *OfferCell // nil: nothing offered to the device
}

// OfferCell is the device's pack offer as the table shows it.
type OfferCell struct {
	hub.OfferInfo
	State   string // pending, installed, refused, in the page's language
	Class   string // pending, ok or bad
	Release string // "pack version", with "(rollback)"
	Scope   string // to the whole site, or to this device
	Offered string // when, in the site's time
	Said    string // the device's reason, said in the page's language ("" if none or not recognised)
	Detail  string // the device's own words ("" if none)
	Own     bool   // offered to this device (not its site's offer)
}

func (v *view) offerCell(o *hub.OfferInfo, loc *time.Location) *OfferCell {
	if o == nil {
		return nil
	}
	c := &OfferCell{OfferInfo: *o, State: v.T("offer." + o.Outcome), Release: o.Pack + " " + o.Version,
		Scope: v.T("offer.scope.device"), Offered: v.Time(o.Offered, loc), Detail: o.Reason}
	if o.Rollback {
		c.Release += " " + v.T("offer.rollback")
	}
	if o.Scope == wire.OfferAll {
		c.Scope = v.T("offer.scope.site")
	} else {
		c.Own = true
	}
	switch o.Outcome {
	case hub.OutcomeInstalled:
		c.Class = "ok"
	case hub.OutcomeRefused:
		c.Class = "bad"
	default:
		c.Class = "pending"
	}
	why := o.Why
	if why == hub.WhyHubError && o.Outcome == hub.OutcomePending {
		why = hub.WhyDownload // a 5xx the device tries again, not a refusal to act on
	}
	if why != "" && why != hub.WhyOther {
		c.Said = v.T("why." + why)
	}
	return c
}

// SensorState is one sensor's health.
type SensorState struct {
	Name, State string
	OK          bool
}

// AlertRow is one alert as shown.
type AlertRow struct {
	hub.Alert
	Title string
	Since string
	Text  string // the message in the page's language
}

// MinAnswers is how many answers a question needs before it is ranked.
const MinAnswers = 20

var siteRanges = []int{30, 90, 365}

func (s *Server) sitePage(w http.ResponseWriter, r *http.Request, v *view) {
	ctx, cancel := queryContext(r)
	defer cancel()
	p, err := s.siteData(ctx, v, r.PathValue("site"), r.URL.Query().Get("days"))
	if err != nil {
		s.queryFailed(w, v, err)
		return
	}
	if err := s.offersOfSite(p, v, r, p.Loc); err != nil {
		s.queryFailed(w, v, err)
		return
	}
	v.Title = p.Site.Site
	s.render(w, v, "site", p)
}

func (s *Server) siteData(ctx context.Context, v *view, site, days string) (*SitePage, error) {
	st, err := s.hub.Site(ctx, site)
	if err != nil {
		return nil, err
	}
	alerts, err := s.alerts(ctx)
	if err != nil {
		return nil, err
	}
	p := &SitePage{Site: st, Range: 30, Ranges: siteRanges, MinAns: MinAnswers}
	if n, err := strconv.Atoi(days); err == nil && slices.Contains(siteRanges, n) {
		p.Range = n
	}
	var mine []hub.Alert
	for _, a := range alerts {
		if a.Site == site {
			mine = append(mine, a)
		}
	}
	past, err := s.pastSums(ctx, []hub.Site{st}, false)
	if err != nil {
		return nil, err
	}
	p.Row = s.siteRow(v, st, len(mine), past)
	loc, _ := s.location(st.TimeZone)
	p.Loc = loc
	for _, a := range mine {
		p.Alerts = append(p.Alerts, AlertRow{Alert: a, Title: v.T("alert." + a.Kind), Since: v.Time(a.Since, loc), Text: v.AlertText(a, loc, v.Generated)})
	}
	packs, err := s.hub.PackStates(ctx, site)
	if err != nil {
		return nil, err
	}
	offers := map[string]*hub.OfferInfo{}
	for _, ps := range packs {
		offers[ps.Device] = ps.Offer
	}
	for _, d := range st.Devices {
		row := DeviceRow{Device: d, LastHeard: v.Time(d.LastHeard, loc), State: v.deviceState(d, loc), Offer: v.offerCell(offers[d.Device], loc)}
		for _, x := range d.Streams {
			if x.Epoch == d.Epoch || len(d.Streams) == 1 {
				row.CompleteThrough = x.CompleteThrough
			}
			row.Missing += x.Missing
		}
		for _, name := range slices.Sorted(maps.Keys(d.Sensors)) {
			row.Sensors = append(row.Sensors, SensorState{Name: name, State: v.SensorText(d.Sensors[name]), OK: d.Sensors[name] == "ok"})
		}
		p.Devices = append(p.Devices, row)
	}
	p.To = st.Date
	p.From = shiftDate(st.Date, -(p.Range - 1))
	hc, err := s.hub.HoursCompared(ctx, site, st.Date)
	if err != nil {
		return nil, err
	}
	p.HoursData = hc.This.HasData || hc.WeekAgo.HasData
	var todays, weeks []int64
	for h := range 24 {
		p.Hours = append(p.Hours, HourRow{Hour: h, Today: hc.This.Hours[h].Entries, WeekAgo: hc.WeekAgo.Hours[h].Entries})
		todays = append(todays, hc.This.Hours[h].Entries)
		weeks = append(weeks, hc.WeekAgo.Hours[h].Entries)
	}
	hourLabels := make([]string, 24)
	for h := range hourLabels {
		hourLabels[h] = strconv.Itoa(h)
	}
	p.HoursChart = barChart(v.T("site.hours"), hourLabels, []series{{v.T("thisday"), "s0", todays}, {v.T("lastweek"), "s1", weeks}})
	ds, err := s.hub.Days(ctx, site, p.From, p.To)
	if err != nil {
		return nil, err
	}
	p.Days, p.DaysTotal, p.DaysData = ds.Days, ds.Total, anyData(ds.Days)
	var entries []int64
	var labels []string
	for _, d := range ds.Days {
		entries = append(entries, d.Entries)
		labels = append(labels, v.ShortDate(d.Date))
	}
	p.DaysChart = barChart(v.Tf("site.days", p.Range), labels, []series{{v.T("entries"), "s0", entries}})
	p.Feedback = ds.Total.Feedback
	if p.Funnel, err = s.hub.FunnelOf(ctx, ds); err != nil {
		return nil, err
	}
	all, err := s.hub.Answers(ctx, site, p.From, p.To, MinAnswers)
	if err != nil {
		return nil, err
	}
	p.Hardest = all[:min(len(all), 10)]
	return p, nil
}

// Q returns a question's text in l, or in the other language, or its id.
func (v *view) Q(a hub.Answer) string {
	if t := a.Question[string(v.Lang)]; t != "" {
		return t
	}
	for _, t := range a.Question {
		if t != "" {
			return t
		}
	}
	return a.Step
}

func shiftDate(date string, days int) string {
	t, err := time.Parse(wire.DateLayout, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, days).Format(wire.DateLayout)
}
