package db_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func TestAllDaysSQLite(t *testing.T) {
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	testAllDays(t, d)
}

func TestAllDaysPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	d, err := db.Open(context.Background(), srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	testAllDays(t, d)
}

// testAllDays: AllDays is Days for every site at once, closed days and
// events mixed as Days mixes them, and the figures are the fixture's own.
func testAllDays(t *testing.T, d *db.DB) {
	setZone(t, d) // s1, Asia/Shanghai
	s2 := totals(0, 0, "2026-03-01", time.Unix(1, 0))
	s2.Site, s2.TimeZone = "s2", "Europe/London"
	if _, err := d.StoreTotals(ctx, "e9", s2, time.Now()); err != nil {
		t.Fatal(err)
	}
	evs := []db.Event{
		ev("e1", 1, wire.DoorEntry, "2026-03-01 10:00"), ev("e1", 2, wire.DoorEntry, "2026-03-01 11:00"),
		ev("e1", 3, wire.DoorExit, "2026-03-02 10:00"), ev("e1", 4, wire.DoorEntry, "2026-03-03 09:00"),
	}
	second := ev("e2", 1, wire.DoorEntry, "2026-03-01 12:00") // a second device epoch on the 1st
	second.Device = "d2"
	evs = append(evs, second)
	for i, at := range []string{"2026-03-02 18:00", "2026-03-02 19:00", "2026-03-04 18:00"} { // London: 10:00, 11:00, 10:00
		e := ev("e9", uint64(i+1), wire.DoorEntry, at)
		e.Site = "s2"
		evs = append(evs, e)
	}
	if _, err := d.StoreEvents(ctx, evs, time.Now()); err != nil {
		t.Fatal(err)
	}
	// d1 closed the 1st at 5 (its own count wins over its 2 events); d2's
	// part of that day stays its events.
	if _, err := d.StoreDaily(ctx, "s1", "d1", "e1", wire.Daily{V: 1, Date: "2026-03-01", Counters: wire.Counters{Entries: 5, Sessions: 3}, Seq: 2}, time.Now()); err != nil {
		t.Fatal(err)
	}
	from, to := "2026-03-01", "2026-03-03"
	all, err := d.AllDays(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]db.Day{}
	for _, r := range all {
		got[r.Site] = append(got[r.Site], r.Day)
	}
	for _, site := range []string{"s1", "s2"} {
		want, err := d.Days(ctx, site, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got[site]) != len(want) {
			t.Fatalf("%s: AllDays %+v, Days %+v", site, got[site], want)
		}
		for i := range want {
			if got[site][i] != want[i] {
				t.Fatalf("%s day %d: AllDays %+v, Days %+v", site, i, got[site][i], want[i])
			}
		}
	}
	s1 := got["s1"]
	if len(s1) != 3 || s1[0].Day != "2026-03-01" || s1[0].Entries != 6 || s1[0].Sessions != 3 || s1[0].FromDaily != 1 || s1[0].FromEvents != 1 ||
		s1[1].Exits != 1 || s1[1].FromEvents != 1 || s1[2].Entries != 1 {
		t.Fatalf("s1 %+v", s1)
	}
	// The 4th is outside the range.
	if g := got["s2"]; len(g) != 1 || g[0].Day != "2026-03-02" || g[0].Entries != 2 || g[0].FromEvents != 1 {
		t.Fatalf("s2 %+v", g)
	}
	// Sums is Days summed, for every site at once.
	sums, err := d.Sums(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 {
		t.Fatalf("sums %+v", sums)
	}
	for _, sm := range sums {
		var want db.Bucket
		for _, r := range got[sm.Site] {
			want.Add(r.Bucket)
		}
		if sm.Bucket != want || !sm.HasData {
			t.Errorf("%s: Sums %+v, Days summed %+v", sm.Site, sm, want)
		}
	}
	if sums[0].Site != "s1" || sums[0].Entries != 7 || sums[0].Exits != 1 || sums[0].Sessions != 3 || sums[1].Entries != 2 {
		t.Fatalf("sums %+v", sums)
	}
	if none, err := d.Sums(ctx, "2027-01-01", "2027-01-31"); err != nil || len(none) != 0 {
		t.Fatalf("a range with nothing: %+v %v", none, err)
	}
}
