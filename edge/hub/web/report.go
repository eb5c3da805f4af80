package web

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Report is a report's data: one site or all, over a month or a range of
// local days.
type Report struct {
	Site     string // "" for every site
	Sites    []string
	Month    string // yyyy-mm when a month was asked for
	From, To string
	Zones    []string // the time zones the days are in
	// PerSite is each site's totals over the range.
	PerSite []ReportSite
	Total   db.Bucket
	// Days sums the sites per local day; Partial counts the device stores
	// of a day counted from events rather than from a closed-day message.
	Days      []ReportDay
	BusyDays  []ReportDay
	BusyHours []HourTotal
	HoursNote bool // busiest hours left out: the range is too long
	Modules   []db.Module
	Sessions  int64
	Partial   bool
	HasData   bool
	// Incomplete are the chosen sites whose numbers in the range are not
	// all in yet: a device offline since a day of the range, or events
	// waiting on a device, not received, or dropped.
	Incomplete []hub.Site
}

// MaxHoursDays is the longest range that lists the busiest hours.
func (r *Report) MaxHoursDays() int { return maxHoursDays }

// ReportSite is one site's line.
type ReportSite struct {
	Site, TimeZone string
	db.Bucket
	HasData bool
}

// ReportDay is one day's line.
type ReportDay struct {
	Date string
	db.Bucket
	HasData bool
	Partial bool
}

// HourTotal is the entries of one hour of the day over the range.
type HourTotal struct {
	Hour    int
	Entries int64
}

// maxHoursDays: beyond this many days the busiest hours are left out (a
// query per day and site).
const maxHoursDays = 92

func (s *Server) reportData(ctx context.Context, r *http.Request) (*Report, error) {
	q := r.URL.Query()
	sites, err := s.hub.Sites(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Site: q.Get("site")}
	for _, st := range sites {
		rep.Sites = append(rep.Sites, st.Site)
	}
	var chosen []hub.Site
	for _, st := range sites {
		if rep.Site == "" || st.Site == rep.Site {
			chosen = append(chosen, st)
		}
	}
	if rep.Site != "" && len(chosen) == 0 {
		return nil, fmt.Errorf("%w %q", hub.ErrUnknownSite, rep.Site)
	}
	// The default: this month, in the first chosen site's zone.
	now := s.opts.Now()
	if len(chosen) > 0 {
		loc, _ := s.location(chosen[0].TimeZone)
		now = now.In(loc)
	}
	switch from, to, month := q.Get("from"), q.Get("to"), q.Get("month"); {
	case from != "" || to != "":
		f, err1 := time.Parse(wire.DateLayout, from)
		t, err2 := time.Parse(wire.DateLayout, to)
		if err1 != nil || err2 != nil || t.Before(f) || t.Sub(f) > hub.MaxDays*24*time.Hour {
			return nil, badInput{"err.range", []any{from, to, hub.MaxDays}}
		}
		rep.From, rep.To = from, to
	default:
		if month == "" {
			month = now.Format("2006-01")
		}
		m, err := time.Parse("2006-01", month)
		if err != nil {
			return nil, badInput{"err.month", []any{month}}
		}
		rep.Month = month
		rep.From, rep.To = m.Format(wire.DateLayout), m.AddDate(0, 1, -1).Format(wire.DateLayout)
	}
	byDay := map[string]*ReportDay{}
	mods := map[string]*db.Module{}
	var hours [24]int64
	f, _ := time.Parse(wire.DateLayout, rep.From)
	t, _ := time.Parse(wire.DateLayout, rep.To)
	nDays := int(t.Sub(f).Hours()/24) + 1
	rep.HoursNote = nDays > maxHoursDays
	for _, st := range chosen {
		if s.incompleteIn(st, rep.To) {
			rep.Incomplete = append(rep.Incomplete, st)
		}
		if st.TimeZone != "" && !slices.Contains(rep.Zones, st.TimeZone) {
			rep.Zones = append(rep.Zones, st.TimeZone)
		}
		ds, err := s.hub.Days(ctx, st.Site, rep.From, rep.To)
		if err != nil {
			return nil, err
		}
		line := ReportSite{Site: st.Site, TimeZone: st.TimeZone, Bucket: ds.Total, HasData: anyData(ds.Days)}
		rep.PerSite = append(rep.PerSite, line)
		rep.Total.Add(ds.Total)
		rep.HasData = rep.HasData || line.HasData
		for _, d := range ds.Days {
			rd := byDay[d.Date]
			if rd == nil {
				rd = &ReportDay{Date: d.Date}
				byDay[d.Date] = rd
			}
			rd.Add(d.Bucket)
			rd.HasData = rd.HasData || d.HasData
			if d.FromEvents > 0 {
				rd.Partial, rep.Partial = true, true
			}
		}
		fn, err := s.hub.Funnel(ctx, st.Site, rep.From, rep.To)
		if err != nil {
			return nil, err
		}
		rep.Sessions += fn.Sessions
		for _, m := range fn.Modules {
			x := mods[m.Module]
			if x == nil {
				x = &db.Module{Module: m.Module}
				mods[m.Module] = x
			}
			x.Started += m.Started
			x.Completed += m.Completed
			x.Passed += m.Passed
		}
		if !rep.HoursNote {
			for _, d := range ds.Days {
				if !d.HasData {
					continue
				}
				hs, err := s.hub.Hours(ctx, st.Site, d.Date)
				if err != nil {
					return nil, err
				}
				for h, b := range hs.Hours {
					hours[h] += b.Entries
				}
			}
		}
	}
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		ds := d.Format(wire.DateLayout)
		if rd := byDay[ds]; rd != nil {
			rep.Days = append(rep.Days, *rd)
		} else {
			rep.Days = append(rep.Days, ReportDay{Date: ds})
		}
	}
	busy := slices.Clone(rep.Days)
	busy = slices.DeleteFunc(busy, func(d ReportDay) bool { return !d.HasData || d.Entries == 0 })
	slices.SortStableFunc(busy, func(a, b ReportDay) int { return cmp.Compare(b.Entries, a.Entries) })
	rep.BusyDays = busy[:min(5, len(busy))]
	if !rep.HoursNote {
		for h, n := range hours {
			if n > 0 {
				rep.BusyHours = append(rep.BusyHours, HourTotal{Hour: h, Entries: n})
			}
		}
		slices.SortStableFunc(rep.BusyHours, func(a, b HourTotal) int { return cmp.Compare(b.Entries, a.Entries) })
		rep.BusyHours = rep.BusyHours[:min(5, len(rep.BusyHours))]
	}
	for _, k := range slices.Sorted(maps.Keys(mods)) {
		rep.Modules = append(rep.Modules, *mods[k])
	}
	return rep, nil
}

// incompleteIn: the site's numbers up to the day to may still change.
func (s *Server) incompleteIn(st hub.Site, to string) bool {
	c := st.Completeness
	if c.Backlog > 0 || c.Missing > 0 || c.Dropped > 0 {
		return true
	}
	loc, _ := s.location(st.TimeZone)
	for _, o := range c.Offline {
		if o.Since.IsZero() || o.Since.In(loc).Format(wire.DateLayout) <= to {
			return true
		}
	}
	return false
}

// SiteNotes says why a site's numbers are incomplete, in one line.
func (v *view) SiteNotes(st hub.Site) string {
	loc, _ := time.LoadLocation(st.TimeZone)
	sep := "; "
	if v.Lang == ZH {
		sep = "；"
	}
	return strings.Join(v.notes(st.Completeness, loc), sep)
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, v *view) {
	ctx, cancel := queryContext(r)
	defer cancel()
	rep, err := s.reportData(ctx, r)
	if err != nil {
		s.queryFailed(w, v, err)
		return
	}
	v.Title = v.T("report.title")
	s.render(w, v, "report", reportView{Report: rep, Query: r.URL.RawQuery})
}

type reportView struct {
	*Report
	Query string
}

// Name is the report's subject: a site id or all sites.
func (v *view) ReportName(r *Report) string {
	if r.Site == "" {
		return v.T("report.allsites")
	}
	return r.Site
}

var reportHeader = []string{"date", "entries", "exits", "after_hours_entries", "after_hours_exits", "sessions",
	"feedback_not_satisfied", "feedback_ok", "feedback_satisfied", "has_data", "partial"}

func dayRecord(d ReportDay) []string {
	return []string{d.Date, strconv.FormatInt(d.Entries, 10), strconv.FormatInt(d.Exits, 10),
		strconv.FormatInt(d.AfterHoursEntries, 10), strconv.FormatInt(d.AfterHoursExits, 10), strconv.FormatInt(d.Sessions, 10),
		strconv.FormatInt(d.Feedback[0], 10), strconv.FormatInt(d.Feedback[1], 10), strconv.FormatInt(d.Feedback[2], 10),
		strconv.FormatBool(d.HasData), strconv.FormatBool(d.Partial)}
}

func reportFile(rep *Report, ext string) string {
	name := "all-sites"
	if rep.Site != "" {
		name = rep.Site
	}
	return fmt.Sprintf("wufang-%s-%s-%s.%s", name, rep.From, rep.To, ext)
}

// reportCSV writes the report's daily table: one row a day, has_data false
// for a day nothing is known of (not a row of zeros).
func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request, v *view) {
	ctx, cancel := queryContext(r)
	defer cancel()
	rep, err := s.reportData(ctx, r)
	if err != nil {
		s.queryFailed(w, v, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+reportFile(rep, "csv")+`"`)
	c := csv.NewWriter(w)
	_ = c.Write(reportHeader)
	for _, d := range rep.Days {
		_ = c.Write(dayRecord(d))
	}
	c.Flush()
}

// reportXLSX writes the report as a workbook: totals per site, per day,
// modules.
func (s *Server) reportXLSX(w http.ResponseWriter, r *http.Request, v *view) {
	ctx, cancel := queryContext(r)
	defer cancel()
	rep, err := s.reportData(ctx, r)
	if err != nil {
		s.queryFailed(w, v, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	put := func(sheet string, row int, vals ...any) {
		for i, x := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			_ = f.SetCellValue(sheet, cell, x)
		}
	}
	_ = f.SetSheetName("Sheet1", "Totals")
	put("Totals", 1, "site", "timezone", "from", "to", "entries", "exits", "after_hours_entries", "after_hours_exits", "sessions",
		"feedback_not_satisfied", "feedback_ok", "feedback_satisfied", "has_data")
	for i, p := range rep.PerSite {
		put("Totals", i+2, p.Site, p.TimeZone, rep.From, rep.To, p.Entries, p.Exits, p.AfterHoursEntries, p.AfterHoursExits, p.Sessions,
			p.Feedback[0], p.Feedback[1], p.Feedback[2], p.HasData)
	}
	_, _ = f.NewSheet("Days")
	hdr := make([]any, len(reportHeader))
	for i, h := range reportHeader {
		hdr[i] = h
	}
	put("Days", 1, hdr...)
	for i, d := range rep.Days {
		put("Days", i+2, d.Date, d.Entries, d.Exits, d.AfterHoursEntries, d.AfterHoursExits, d.Sessions,
			d.Feedback[0], d.Feedback[1], d.Feedback[2], d.HasData, d.Partial)
	}
	_, _ = f.NewSheet("Modules")
	put("Modules", 1, "module", "started", "completed", "passed")
	for i, m := range rep.Modules {
		put("Modules", i+2, m.Module, m.Started, m.Completed, m.Passed)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+reportFile(rep, "xlsx")+`"`)
	if err := f.Write(w); err != nil {
		s.opts.Log.Error("dashboard: xlsx", "err", err)
	}
}
