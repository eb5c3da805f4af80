package web

import (
	"context"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
)

// The overview needs, for every site, this week's and this year's entries:
// two range queries a site, about 4 s for 200 rooms with a year of hourly
// history on SQLite (BenchmarkPageOverview). The days before today change
// only when a device drains a backlog of old events, so their sums are
// kept for pastTTL, and today's part is the devices' latest totals (fresh,
// and the same number as the today column); the alerts, which the
// hub computes over every site, are kept for alertsTTL (the hub samples
// them once a minute anyway). So a new visitor shows at once, and a late
// event of an earlier day within pastTTL.
const (
	pastTTL   = time.Minute
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
}

// rangeSum returns the site's sum from from to today: the days before today
// from the cache (or the hub), plus today's, which the caller read fresh.
func (s *Server) rangeSum(ctx context.Context, site, from string, today hub.Days) (db.Bucket, bool, error) {
	var total db.Bucket
	has := false
	if yesterday := shiftDate(today.From, -1); from <= yesterday {
		k := rangeKey{site, from, yesterday}
		s.cache.mu.Lock()
		c, ok := s.cache.past[k]
		s.cache.mu.Unlock()
		if !ok || time.Since(c.at) > pastTTL {
			ds, err := s.hub.Days(ctx, site, from, yesterday)
			if err != nil {
				return total, false, err
			}
			c = rangeSum{total: ds.Total, hasData: anyData(ds.Days), at: time.Now()}
			s.cache.mu.Lock()
			if s.cache.past == nil {
				s.cache.past = map[rangeKey]rangeSum{}
			}
			for key, v := range s.cache.past {
				if time.Since(v.at) > pastTTL {
					delete(s.cache.past, key)
				}
			}
			s.cache.past[k] = c
			s.cache.mu.Unlock()
		}
		total.Add(c.total)
		has = c.hasData
	}
	total.Add(today.Total)
	return total, has || anyData(today.Days), nil
}

// alerts returns the hub's open alerts. The first call computes them; later
// ones get the last result and, when it is older than alertsTTL, start one
// refresh in the background, so no page waits for every site's alerts.
func (s *Server) alerts(ctx context.Context) ([]hub.Alert, error) {
	s.cache.mu.Lock()
	if !s.cache.alertsAt.IsZero() {
		a := s.cache.alerts
		if time.Since(s.cache.alertsAt) > alertsTTL && !s.cache.refreshing {
			s.cache.refreshing = true
			go s.refreshAlerts()
		}
		s.cache.mu.Unlock()
		return a, nil
	}
	s.cache.mu.Unlock()
	a, err := s.hub.Alerts(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	s.cache.alerts, s.cache.alertsAt = a, time.Now()
	s.cache.mu.Unlock()
	return a, nil
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
