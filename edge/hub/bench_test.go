package hub_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// BenchmarkSitePages generates a year of history for 200 rooms directly
// into a SQLite database (hourly counts for the opening hours, five modules
// and twelve questions a day per room, each room's totals), then times the
// queries of a site page on random rooms: today by hour (with a week and a
// year earlier), the last 90 days by day (likewise), the module funnel and
// the hardest questions of 90 days, and the site summary. It reports p50
// and p95 per page in milliseconds.
//
//	go test -run XXX -bench SitePages -benchtime 200x ./edge/hub
func BenchmarkSitePages(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	const rooms = 200
	// Generated once per run (the benchmark function runs more than once).
	pagesOnce.Do(func() {
		pagesDir, pagesErr = os.MkdirTemp("", "hub-bench-")
		if pagesErr != nil {
			return
		}
		var d *db.DB
		if d, pagesErr = db.Open(ctx, filepath.Join(pagesDir, "hub.db")); pagesErr != nil {
			return
		}
		defer d.Close()
		t0 := time.Now()
		pagesErr = generate(ctx, d.SQL(), rooms, now)
		b.Logf("generated a year for %d rooms in %v", rooms, time.Since(t0).Round(time.Second))
	})
	if pagesErr != nil {
		b.Fatal(pagesErr)
	}
	d, err := db.Open(ctx, filepath.Join(pagesDir, "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	h := hub.New(d, hub.Options{Now: func() time.Time { return now }})
	today := now.In(mustLoc("Asia/Shanghai")).Format(wire.DateLayout)
	from := shiftDate(today, -89)
	queries := []struct {
		name string
		run  func(site string) error
	}{
		{"summary", func(site string) error { _, err := h.Site(ctx, site); return err }},
		{"hours", func(site string) error { _, err := h.HoursCompared(ctx, site, today); return err }},
		{"days90", func(site string) error { _, err := h.DaysCompared(ctx, site, from, today); return err }},
		{"funnel", func(site string) error { _, err := h.Funnel(ctx, site, from, today); return err }},
		{"questions", func(site string) error {
			a, err := h.Answers(ctx, site, from, today, 20)
			if err == nil && len(a) == 0 {
				err = fmt.Errorf("no questions ranked")
			}
			return err
		}},
	}
	lat := make([][]time.Duration, len(queries)+1)
	b.ResetTimer()
	for i := range b.N {
		site := fmt.Sprintf("room-%03d", (i*37)%rooms)
		page := time.Now()
		for q, x := range queries {
			t := time.Now()
			if err := x.run(site); err != nil {
				b.Fatal(x.name, err)
			}
			lat[q] = append(lat[q], time.Since(t))
		}
		lat[len(queries)] = append(lat[len(queries)], time.Since(page))
	}
	b.StopTimer()
	for q := range lat {
		name := "page"
		if q < len(queries) {
			name = queries[q].name
		}
		l := lat[q]
		slices.Sort(l)
		b.ReportMetric(float64(l[len(l)/2].Microseconds())/1000, name+"-ms-p50")
		b.ReportMetric(float64(l[len(l)*95/100].Microseconds())/1000, name+"-ms-p95")
	}
}

var (
	pagesOnce sync.Once
	pagesDir  string
	pagesErr  error
)

// TestMain removes the benchmark's generated database.
func TestMain(m *testing.M) {
	code := m.Run()
	if pagesDir != "" {
		os.RemoveAll(pagesDir)
	}
	os.Exit(code)
}

func shiftDate(date string, days int) string {
	t, _ := time.Parse(wire.DateLayout, date)
	return t.AddDate(0, 0, days).Format(wire.DateLayout)
}

// generate writes a year of aggregates for n rooms (one door counter and
// one kiosk each, opening hours 09:00-17:59).
func generate(ctx context.Context, s *sql.DB, n int, now time.Time) error {
	tx, err := s.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins := func(table string, cols int, rows [][]any) error {
		for start := 0; start < len(rows); start += 10 {
			chunk := rows[start:min(start+10, len(rows))]
			var q strings.Builder
			fmt.Fprintf(&q, "INSERT INTO %s VALUES ", table)
			var args []any
			for i, r := range chunk {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteByte('(')
				for j := range cols {
					if j > 0 {
						q.WriteByte(',')
					}
					fmt.Fprintf(&q, "$%d", len(args)+j+1)
				}
				q.WriteByte(')')
				args = append(args, r...)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	}
	ms := now.UnixMilli()
	start := now.AddDate(-1, 0, 0)
	modules := []string{"traffic", "fire", "fraud", "drugs", "disasters"}
	for r := range n {
		site := fmt.Sprintf("room-%03d", r)
		if _, err := tx.ExecContext(ctx, `INSERT INTO sites (site, timezone, first_heard, last_heard) VALUES ($1, 'Asia/Shanghai', $2, $2)`, site, ms); err != nil {
			return err
		}
		for _, dev := range []string{"door-1", "kiosk-1"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO devices (site, device, first_heard, last_heard, has_status, online, pack) VALUES ($1, $2, $3, $3, 1, 1, 'wufang-builtin')`, site, dev, ms); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO totals VALUES ($1, $2, 'e1', 100000, 1, $3, '2026-12-03', 'Asia/Shanghai', '{"entries":50000}', '{"entries":40}', $3)`, site, dev, ms); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO streams VALUES ($1, $2, 'e1', 100000, 100000, $3, $3)`, site, dev, ms); err != nil {
				return err
			}
		}
		var hourly, mods, answers [][]any
		for day := start; day.Before(now); day = day.AddDate(0, 0, 1) {
			ds := day.Format(wire.DateLayout)
			for hr := 9; hr <= 17; hr++ {
				e := int64((r+hr+day.YearDay())%23 + 1)
				hourly = append(hourly, []any{site, ds, hr, "door-1", "e1", e, e, 0, 0, 0, 0, 0, 0, 0})
				hourly = append(hourly, []any{site, ds, hr, "kiosk-1", "e1", 0, 0, 0, 0, e / 2, 1, 2, 3, 0})
			}
			for i, m := range modules {
				mods = append(mods, []any{site, ds, m, "kiosk-1", "e1", 20 + i, 15 + i, 10 + i})
			}
			for q := range 12 {
				answers = append(answers, []any{site, ds, fmt.Sprintf("%s-q%d", modules[q%5], q), "kiosk-1", "e1", modules[q%5], 5 + q, 12 - q})
			}
		}
		if err := ins("hourly", 14, hourly); err != nil {
			return err
		}
		if err := ins("module_day", 8, mods); err != nil {
			return err
		}
		if err := ins("answer_day", 8, answers); err != nil {
			return err
		}
	}
	return tx.Commit()
}
