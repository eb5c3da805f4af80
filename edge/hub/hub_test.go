package hub_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

var ctx = context.Background()

// backends runs f on SQLite and on PostgreSQL.
func backends(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		f(t, d)
	})
	t.Run("postgres", func(t *testing.T) {
		srv := pgtest.Start(t)
		d, err := db.Open(ctx, srv.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		f(t, d)
	})
}

const (
	epA = "00000000000000aa"
	epB = "00000000000000bb"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func entry(site, dev, epoch string, seq uint64, at time.Time) db.Event {
	return db.Event{Site: site, Device: dev, Epoch: epoch, Event: wire.Event{V: 1, Epoch: epoch, Seq: seq, Boot: 1, Time: at.UTC(), Kind: wire.DoorEntry}}
}

func counters(entries uint64) wire.Counters { return wire.Counters{Entries: entries} }

// TestTimeZones: a site in Asia/Shanghai and one in Europe/London; events
// either side of a local midnight; the same instant on two local days; a
// device offline across midnight for three days that then drains its
// backlog: its events land in the hours and days they happened.
func TestTimeZones(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		sh, ldn := mustLoc("Asia/Shanghai"), mustLoc("Europe/London")
		clk := &clock{time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC)}
		h := hub.New(d, hub.Options{Now: clk.now, OfflineAfter: 10 * time.Minute})
		store := func(evs ...db.Event) {
			t.Helper()
			if _, err := d.StoreEvents(ctx, evs, clk.t); err != nil {
				t.Fatal(err)
			}
		}
		totals := func(site, dev, epoch string, seq, entries uint64, tz string, loc *time.Location) {
			t.Helper()
			tt := wire.Totals{V: 1, Epoch: epoch, Site: site, Device: dev, Seq: seq, Boot: 1, Lifetime: counters(entries),
				Today: counters(entries), Date: clk.t.In(loc).Format(wire.DateLayout), TimeZone: tz, Time: clk.t}
			if _, err := d.StoreTotals(ctx, epoch, tt, clk.t); err != nil {
				t.Fatal(err)
			}
		}
		status := func(site, dev string, online bool) {
			t.Helper()
			if err := d.StoreStatus(ctx, site, dev, epA, wire.Status{V: 1, Epoch: epA, Online: online, Time: clk.t}, clk.t); err != nil {
				t.Fatal(err)
			}
		}
		// Shanghai: 23:59 on the 1st and 00:01 on the 2nd, local.
		store(entry("sh", "d1", epA, 1, time.Date(2026, 3, 1, 23, 59, 0, 0, sh)), entry("sh", "d1", epA, 2, time.Date(2026, 3, 2, 0, 1, 0, 0, sh)))
		// The same instant, 16:30 UTC on the 1st, at both sites.
		instant := time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC)
		store(entry("sh", "d1", epA, 3, instant), entry("ldn", "d1", epA, 1, instant), entry("ldn", "d2", epA, 1, instant))
		totals("sh", "d1", epA, 3, 3, "Asia/Shanghai", sh)
		totals("ldn", "d1", epA, 1, 1, "Europe/London", ldn)
		totals("ldn", "d2", epA, 1, 1, "Europe/London", ldn)
		status("sh", "d1", true)
		status("ldn", "d1", true)
		status("ldn", "d2", true)

		days, err := h.Days(ctx, "sh", "2026-03-01", "2026-03-02")
		if err != nil {
			t.Fatal(err)
		}
		if days.Days[0].Entries != 1 || days.Days[1].Entries != 2 {
			t.Fatalf("Shanghai days %+v: want 1 on the 1st (23:59), 2 on the 2nd (00:01 and 00:30)", days.Days)
		}
		hours, _ := h.Hours(ctx, "sh", "2026-03-02")
		if hours.Hours[0].Entries != 2 || hours.TimeZone != "Asia/Shanghai" {
			t.Fatalf("Shanghai 2nd, 00:00: %+v", hours.Hours[0])
		}
		lh, _ := h.Hours(ctx, "ldn", "2026-03-01")
		if lh.Hours[16].Entries != 2 {
			t.Fatalf("London 1st, 16:00: %+v", lh.Hours[16])
		}

		// London d2 goes offline at 18:00 UTC on the 1st and stays away
		// three days, recording as it goes.
		clk.t = time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)
		status("ldn", "d2", false)
		var late []db.Event
		seq := uint64(1)
		for day := 2; day <= 4; day++ {
			for _, hr := range []int{10, 15} {
				seq++
				late = append(late, entry("ldn", "d2", epA, seq, time.Date(2026, 3, day, hr, 5, 0, 0, ldn)))
			}
		}
		clk.t = time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
		site, err := h.Site(ctx, "ldn")
		if err != nil {
			t.Fatal(err)
		}
		c := site.Completeness
		if c.Complete || c.Online != 1 || len(c.Offline) != 1 || c.Offline[0].Device != "d2" || !c.Offline[0].Since.Equal(time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)) {
			t.Fatalf("while d2 is away: %+v", c)
		}
		if site.Date != "2026-03-03" || site.TodayKnown {
			t.Fatalf("London today %s known %v: no device has counted the 3rd yet", site.Date, site.TodayKnown)
		}
		alerts, err := h.Alerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) != 1 || alerts[0].Kind != hub.AlertOffline || alerts[0].Device != "d2" {
			t.Fatalf("alerts %+v", alerts)
		}

		// The 5th: d2 is back and drains, its closed days with it.
		clk.t = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)
		status("ldn", "d2", true)
		store(late...)
		store(late...) // and once more, as a reconnect would
		for day := 2; day <= 4; day++ {
			date := time.Date(2026, 3, day, 0, 0, 0, 0, ldn).Format(wire.DateLayout)
			if _, err := d.StoreDaily(ctx, "ldn", "d2", epA, wire.Daily{V: 1, Epoch: epA, Date: date, Counters: counters(2), Seq: uint64(2*day - 1)}, clk.t); err != nil {
				t.Fatal(err)
			}
		}
		totals("ldn", "d2", epA, seq, seq, "Europe/London", ldn)
		days, _ = h.Days(ctx, "ldn", "2026-03-01", "2026-03-05")
		want := []int64{2, 2, 2, 2, 0}
		for i, w := range want {
			if days.Days[i].Entries != w {
				t.Fatalf("London days %+v, want entries %v", days.Days, want)
			}
		}
		if !days.Days[1].HasData || days.Days[1].FromDaily != 1 || days.Days[4].HasData {
			t.Fatalf("London days %+v", days.Days)
		}
		h3, _ := h.Hours(ctx, "ldn", "2026-03-03")
		if h3.Hours[10].Entries != 1 || h3.Hours[15].Entries != 1 || h3.Hours[9].Entries != 0 {
			t.Fatalf("London 3rd by hour: %+v", h3.Hours)
		}
		site, _ = h.Site(ctx, "ldn")
		if site.Lifetime.Entries != 8 || !site.Completeness.Complete {
			t.Fatalf("after the drain: lifetime %d, %+v", site.Lifetime.Entries, site.Completeness)
		}
	})
}

// TestNewEpoch: a device whose store started again adds its new counts to
// the old epoch's, it does not replace them.
func TestNewEpoch(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC)
		h := hub.New(d, hub.Options{Now: func() time.Time { return now }})
		for _, x := range []struct {
			epoch     string
			seq, life uint64
		}{{epA, 40, 30}, {epB, 5, 4}, {epA, 39, 29}} {
			tt := wire.Totals{V: 1, Epoch: x.epoch, Site: "s", Device: "d", Seq: x.seq, Lifetime: counters(x.life), Today: counters(x.life),
				Date: "2026-03-01", TimeZone: "Asia/Shanghai", Time: now}
			if _, err := d.StoreTotals(ctx, x.epoch, tt, now); err != nil {
				t.Fatal(err)
			}
		}
		s, err := h.Site(ctx, "s")
		if err != nil {
			t.Fatal(err)
		}
		if s.Lifetime.Entries != 34 || s.Today.Entries != 34 || s.InRoom != 34 {
			t.Fatalf("lifetime %d today %d in room %d, want 30+4", s.Lifetime.Entries, s.Today.Entries, s.InRoom)
		}
	})
}

// TestAlertsAndAPI fills a site with four weeks of known days and checks
// the closed-day alerts, opening hours and the JSON API.
func TestAlertsAndAPI(t *testing.T) {
	backends(t, func(t *testing.T, d *db.DB) {
		sh := mustLoc("Asia/Shanghai")
		now := time.Date(2026, 3, 29, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
		hours, _ := config.ParseSchedule(map[string]string{"daily": "09:00-17:00"})
		h := hub.New(d, hub.Options{Now: func() time.Time { return now }, DefaultHours: hours})
		seq := uint64(0)
		var evs []db.Event
		add := func(day time.Time, kind wire.Kind, n int) {
			for range n {
				seq++
				evs = append(evs, db.Event{Site: "s", Device: "d", Epoch: epA, Event: wire.Event{V: 1, Epoch: epA, Seq: seq, Time: day.UTC(), Kind: kind}})
			}
		}
		for i := 28; i >= 1; i-- {
			day := time.Date(2026, 3, 29-i, 11, 0, 0, 0, sh)
			exits := 30
			sessions := 15
			if i == 1 { // yesterday: a beam out of line, and a dark screen
				exits, sessions = 10, 1
			}
			add(day, wire.DoorEntry, 30)
			add(day, wire.DoorExit, exits)
			add(day, wire.SessionStart, sessions)
		}
		tt := wire.Totals{V: 1, Epoch: epA, Site: "s", Device: "d", Seq: seq, Date: "2026-03-29", TimeZone: "Asia/Shanghai", Time: now}
		if _, err := d.StoreTotals(ctx, epA, tt, now); err != nil {
			t.Fatal(err)
		}
		if _, err := d.StoreEvents(ctx, evs, now); err != nil {
			t.Fatal(err)
		}
		if err := d.StoreStatus(ctx, "s", "d", epA, wire.Status{V: 1, Epoch: epA, Online: true, Time: now, Sensors: map[string]string{"door": "fault: beam blocked"}}, now); err != nil {
			t.Fatal(err)
		}
		alerts, err := h.Alerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kinds := []string{}
		for _, a := range alerts {
			kinds = append(kinds, a.Kind)
		}
		if strings.Join(kinds, ",") != hub.AlertDoorImbalance+","+hub.AlertSensorFault+","+hub.AlertSessionsLow {
			t.Fatalf("alerts %v: %+v", kinds, alerts)
		}

		mux := http.NewServeMux()
		h.Routes(mux, nil)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		get := func(path string, v any) int {
			t.Helper()
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if v != nil {
				_ = json.NewDecoder(resp.Body).Decode(v)
			}
			return resp.StatusCode
		}
		var days hub.Compared[hub.Days]
		if code := get("/api/v1/sites/s/days?from=2026-03-01&to=2026-03-28", &days); code != 200 {
			t.Fatalf("days: %d", code)
		}
		direct, _ := h.DaysCompared(ctx, "s", "2026-03-01", "2026-03-28")
		if days.This.Total != direct.This.Total || days.This.Total.Entries != 28*30 || len(days.WeekAgo.Days) != 28 {
			t.Fatalf("API days total %+v, query layer %+v", days.This.Total, direct.This.Total)
		}
		if code := get("/api/v1/sites/nowhere", nil); code != http.StatusNotFound {
			t.Fatalf("unknown site: %d", code)
		}
		if code := get("/api/v1/sites/s/days?from=2026-03-09&to=2026-03-01", nil); code != http.StatusBadRequest {
			t.Fatalf("reversed range: %d", code)
		}
		var hrs hub.Compared[hub.Hours]
		if code := get("/api/v1/sites/s/hours?date=2026-03-28", &hrs); code != 200 || hrs.This.Hours[11].Entries != 30 || !hrs.WeekAgo.HasData {
			t.Fatalf("hours: %d %+v", code, hrs.This.Hours[11])
		}
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 1<<16)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		for _, want := range []string{`wufang_hub_site_entries_total{site="s"} 0`, `wufang_hub_alerts{site="s",kind="door_imbalance"} 1`} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("metrics lack %s:\n%s", want, b.String())
			}
		}
	})
}

// TestQuestions joins the answers to the question texts of the pack the
// devices report, here the built-in one; a folder of packs that do not
// verify is reported and skipped.
func TestQuestions(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.wfpack"), []byte("not a zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	q, problems := hub.LoadQuestions(dir, nil)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "bad.wfpack") {
		t.Fatalf("problems %v", problems)
	}
	text := q.Lookup("wufang-builtin", "fire-q-lift")
	if text["zh-CN"] == "" || text["en"] == "" {
		t.Fatalf("fire-q-lift: %v", text)
	}
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC)
	d.StoreTotals(ctx, epA, wire.Totals{V: 1, Site: "s", Device: "k", Date: "2026-03-01", TimeZone: "Asia/Shanghai", Time: now}, now)
	d.StoreStatus(ctx, "s", "k", epA, wire.Status{V: 1, Online: true, Pack: "wufang-builtin", Time: now}, now)
	var evs []db.Event
	for i := range 25 {
		right := i%5 == 0
		evs = append(evs, db.Event{Site: "s", Device: "k", Epoch: epA, Event: wire.Event{V: 1, Seq: uint64(i + 1), Time: now, Kind: wire.StepAnswer,
			Module: "fire", Step: "fire-q-lift", Correct: &right}})
	}
	if _, err := d.StoreEvents(ctx, evs, now); err != nil {
		t.Fatal(err)
	}
	h := hub.New(d, hub.Options{Now: func() time.Time { return now }, Questions: q.Lookup})
	ans, err := h.Answers(ctx, "s", "2026-03-01", "2026-03-01", 20)
	if err != nil || len(ans) != 1 || ans[0].Wrong != 20 || ans[0].WrongShare != 0.8 || ans[0].Question["en"] != text["en"] {
		t.Fatalf("answers %+v, %v", ans, err)
	}
	if ans, _ := h.Answers(ctx, "s", "2026-03-01", "2026-03-01", 26); len(ans) != 0 {
		t.Fatalf("a question with 25 answers ranked at min 26: %+v", ans)
	}
}
