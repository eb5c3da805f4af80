package web

import (
	"context"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// The overview needs, for every site, this week's and this year's entries.
// The days before today change only when a device drains a backlog of old
// events, so their sums are kept, and today's part is the devices' latest
// totals (fresh, and the same number as the today column); the alerts,
// which the hub computes over every site, are kept for alertsTTL (the hub
// samples them once a minute anyway).
//
// Kept how long: Run (wufang-hub run starts it) fills the sums of every
// site at start and refreshes them every pastTTL while the dashboard is
// looked at (a page or the live stream within idleTTL), every idleTTL
// otherwise; a page never waits for them, except for a site the cache has
// not seen yet. Without Run (tests) a page refreshes what is older than
// pastTTL itself. Either way the sums of all sites are one query a range
// (hub.Sums), not two a site: a cold overview of 200 rooms with a year of
// history took 2.8 s with those (BenchmarkColdOverview).
const (
	pastTTL   = time.Minute
	idleTTL   = 5 * time.Minute
	alertsTTL = 5 * time.Second
)

type rangeKey struct{ site, from, to string }

type rangeSum struct {
	total   db.Bucket
	hasData bool
	at      time.Time
}

type cache struct {
	mu         sync.Mutex
	past       map[rangeKey]rangeSum
	alerts     []hub.Alert
	alertsAt   time.Time
	refreshing bool
	// running: Run keeps past and alerts fresh; looked is when a page
	// last used them; kick asks Run to refresh now (a page found them
	// older than pastTTL after a quiet spell).
	running bool
	looked  time.Time
	kick    chan struct{}
	// warming: Run has started and its first Warm has not finished; the
	// overview does not wait for it (its week and year cells say
	// "counting" and the live stream brings the numbers).
	warming bool
}

// weekAndYear are a site's days before today of this week (from Monday)
// and of this year (local).
func weekAndYear(st hub.Site, loc *time.Location) (week, year rangeKey) {
	today, _ := time.ParseInLocation(wire.DateLayout, st.Date, loc)
	yesterday := today.AddDate(0, 0, -1).Format(wire.DateLayout)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)).Format(wire.DateLayout)
	jan1 := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, loc).Format(wire.DateLayout)
	return rangeKey{st.Site, monday, yesterday}, rangeKey{st.Site, jan1, yesterday}
}

// pastRanges are weekAndYear's ranges that have days: none on a Monday,
// or on 1 January.
func pastRanges(st hub.Site, loc *time.Location) []rangeKey {
	var out []rangeKey
	w, y := weekAndYear(st, loc)
	for _, k := range []rangeKey{w, y} {
		if k.from <= k.to {
			out = append(out, k)
		}
	}
	return out
}

// pastSums returns the sums of the sites' pastRanges, from the cache when
// fresh enough (see above), else from the hub: one Sums query for every
// site a range (the ranges are the same for sites that share a date), or
// one Days query when a single site needs it. force skips the cache.
// While Run warms the caches at start, the overview's many sites are not
// computed twice: what is missing is left out (weekYear says so).
func (s *Server) pastSums(ctx context.Context, sites []hub.Site, force bool) (map[rangeKey]rangeSum, error) {
	now := time.Now()
	out := map[rangeKey]rangeSum{}
	need := map[[2]string][]string{} // from, to -> sites
	s.cache.mu.Lock()
	if !force {
		s.cache.looked = now
	}
	stale := false
	for _, st := range sites {
		loc, known := s.location(st.TimeZone)
		if !known {
			continue
		}
		for _, k := range pastRanges(st, loc) {
			c, ok := s.cache.past[k]
			if ok && !force && (s.cache.running || now.Sub(c.at) <= pastTTL) {
				out[k] = c
				stale = stale || now.Sub(c.at) > pastTTL
				continue
			}
			need[[2]string{k.from, k.to}] = append(need[[2]string{k.from, k.to}], k.site)
		}
	}
	if stale && s.cache.kick != nil {
		select {
		case s.cache.kick <- struct{}{}:
		default:
		}
	}
	if s.cache.warming && !force && len(sites) > 1 {
		clear(need)
	}
	s.cache.mu.Unlock()
	for rg, list := range need {
		got := map[string]rangeSum{}
		if len(list) == 1 {
			ds, err := s.hub.Days(ctx, list[0], rg[0], rg[1])
			if err != nil {
				return nil, err
			}
			got[list[0]] = rangeSum{total: ds.Total, hasData: anyData(ds.Days), at: now}
		} else {
			sums, err := s.hub.Sums(ctx, rg[0], rg[1])
			if err != nil {
				return nil, err
			}
			for _, site := range list {
				got[site] = rangeSum{total: sums[site].Bucket, hasData: sums[site].HasData, at: now}
			}
		}
		s.cache.mu.Lock()
		if s.cache.past == nil {
			s.cache.past = map[rangeKey]rangeSum{}
		}
		for site, c := range got {
			k := rangeKey{site, rg[0], rg[1]}
			s.cache.past[k], out[k] = c, c
		}
		s.cache.mu.Unlock()
	}
	// Forget ranges no longer asked for (yesterday's weeks and years).
	s.cache.mu.Lock()
	for k, c := range s.cache.past {
		if now.Sub(c.at) > 2*idleTTL {
			delete(s.cache.past, k)
		}
	}
	s.cache.mu.Unlock()
	return out, nil
}

// weekYear adds today's counts (the devices' totals) to a site's sums of
// the days before today of this week and this year; ok is false while
// those sums are not known yet (Run still warming).
func weekYear(st hub.Site, loc *time.Location, past map[rangeKey]rangeSum) (week, year db.Bucket, weekHas, yearHas, ok bool) {
	wk, yk := weekAndYear(st, loc)
	w, okW := past[wk]
	y, okY := past[yk]
	if (!okW && wk.from <= wk.to) || (!okY && yk.from <= yk.to) {
		return week, year, false, false, false
	}
	week, year = w.total, y.total
	t := db.BucketOf(st.Today)
	week.Add(t)
	year.Add(t)
	return week, year, w.hasData || st.TodayKnown, y.hasData || st.TodayKnown, true
}

// Run keeps the caches warm until ctx ends (see above): every site's
// sums and the alerts at once, then again every pastTTL while the
// dashboard is looked at and every idleTTL when it is not.
func (s *Server) Run(ctx context.Context) {
	s.cache.mu.Lock()
	s.cache.running, s.cache.warming = true, true
	s.cache.kick = make(chan struct{}, 1)
	kick := s.cache.kick
	s.cache.mu.Unlock()
	defer func() {
		s.cache.mu.Lock()
		s.cache.running, s.cache.warming, s.cache.kick = false, false, nil
		s.cache.mu.Unlock()
	}()
	tick := time.NewTicker(pastTTL)
	defer tick.Stop()
	var last time.Time
	for {
		s.cache.mu.Lock()
		inUse := time.Since(s.cache.looked) < idleTTL
		s.cache.mu.Unlock()
		if last.IsZero() || inUse || time.Since(last) >= idleTTL {
			if err := s.Warm(ctx); err != nil && ctx.Err() == nil {
				s.opts.Log.Warn("dashboard: warming the caches", "err", err)
			}
			last = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-kick:
		}
	}
}

// Warm computes the alerts and every site's sums of past days now.
func (s *Server) Warm(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	a, err := s.hub.Alerts(ctx)
	if err != nil {
		return err
	}
	s.cache.mu.Lock()
	s.cache.alerts, s.cache.alertsAt = a, time.Now()
	s.cache.mu.Unlock()
	sites, err := s.hub.Sites(ctx)
	if err != nil {
		return err
	}
	if _, err = s.pastSums(ctx, sites, true); err != nil {
		return err
	}
	s.cache.mu.Lock()
	s.cache.warming = false
	s.cache.mu.Unlock()
	return nil
}

// alerts returns the hub's open alerts. The first call computes them; later
// ones get the last result and, when it is older than alertsTTL, start one
// refresh in the background, so no page waits for every site's alerts.
func (s *Server) alerts(ctx context.Context) ([]hub.Alert, error) {
	a, _, err := s.alertsIfReady(ctx, true)
	return a, err
}

// alertsIfReady is alerts, except that with wait false, while Run warms
// the caches and has not got the alerts yet, it returns at once with ready
// false (the overview does not wait: its alerts say "counting").
func (s *Server) alertsIfReady(ctx context.Context, wait bool) ([]hub.Alert, bool, error) {
	s.cache.mu.Lock()
	if s.cache.alertsAt.IsZero() && s.cache.warming && !wait {
		s.cache.mu.Unlock()
		return nil, false, nil
	}
	if !s.cache.alertsAt.IsZero() {
		a := s.cache.alerts
		if time.Since(s.cache.alertsAt) > alertsTTL && !s.cache.refreshing {
			s.cache.refreshing = true
			go s.refreshAlerts()
		}
		s.cache.mu.Unlock()
		return a, true, nil
	}
	s.cache.mu.Unlock()
	a, err := s.hub.Alerts(ctx)
	if err != nil {
		return nil, false, err
	}
	s.cache.mu.Lock()
	s.cache.alerts, s.cache.alertsAt = a, time.Now()
	s.cache.mu.Unlock()
	return a, true, nil
}

func (s *Server) refreshAlerts() {
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	a, err := s.hub.Alerts(ctx)
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	s.cache.refreshing = false
	if err != nil {
		s.opts.Log.Warn("dashboard: alerts", "err", err)
		return
	}
	s.cache.alerts, s.cache.alertsAt = a, time.Now()
}
