package db_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// suite is every storage test; each runs on SQLite and on PostgreSQL.
var suite = map[string]func(t *testing.T, open func(t *testing.T) *db.DB){
	"Migrations":        testMigrations,
	"EventsOnce":        testEventsOnce,
	"CompleteThrough":   testCompleteThrough,
	"TotalsHighestSeq":  testTotalsHighestSeq,
	"PendingTimeZone":   testPendingTimeZone,
	"DaysFromDaily":     testDaysFromDaily,
	"PruneThenReplay":   testPruneThenReplay,
	"ConcurrentWriters": testConcurrentWriters,
	"StatusOrder":       testStatusOrder,
	"RowBehindStreams":  testRowBehindStreams,
}

func TestSQLite(t *testing.T) {
	for name, f := range suite {
		t.Run(name, func(t *testing.T) {
			f(t, func(t *testing.T) *db.DB {
				d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "hub.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				return d
			})
		})
	}
}

func TestPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	for name, f := range suite {
		t.Run(name, func(t *testing.T) {
			f(t, func(t *testing.T) *db.DB {
				d, err := db.Open(context.Background(), srv.NewDatabase(t))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				return d
			})
		})
	}
}

var ctx = context.Background()

func tru() *bool { b := true; return &b }
func fls() *bool { b := false; return &b }

// ev makes an event of site s1 / device d1 at local Shanghai time hh:mm of
// 2026-03-01.
func ev(epoch string, seq uint64, kind wire.Kind, at string) db.Event {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	tm, err := time.ParseInLocation("2006-01-02 15:04", at, loc)
	if err != nil {
		panic(err)
	}
	return db.Event{Site: "s1", Device: "d1", Epoch: epoch, Event: wire.Event{V: 1, Seq: seq, Boot: 1, Time: tm.UTC(), Kind: kind}}
}

func totals(seq uint64, entries uint64, date string, at time.Time) wire.Totals {
	return wire.Totals{V: 1, Site: "s1", Device: "d1", Seq: seq, Boot: 1, Date: date, TimeZone: "Asia/Shanghai", Time: at,
		Lifetime: wire.Counters{Entries: entries}, Today: wire.Counters{Entries: entries}}
}

func setZone(t *testing.T, d *db.DB) {
	t.Helper()
	if _, err := d.StoreTotals(ctx, "e1", totals(0, 0, "2026-03-01", time.Unix(1, 0)), time.Now()); err != nil {
		t.Fatal(err)
	}
}

func testMigrations(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	v, err := d.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
}

func testEventsOnce(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	setZone(t, d)
	batch := []db.Event{
		ev("e1", 1, wire.DoorEntry, "2026-03-01 09:10"),
		ev("e1", 2, wire.DoorEntry, "2026-03-01 09:20"),
		ev("e1", 3, wire.DoorExit, "2026-03-01 10:05"),
		ev("e1", 4, wire.SessionStart, "2026-03-01 23:59"),
		ev("e1", 5, wire.DoorEntry, "2026-03-02 00:01"),
	}
	a := ev("e1", 6, wire.StepAnswer, "2026-03-01 11:00")
	a.Module, a.Step, a.Correct = "fire", "fire-q1", fls()
	m := ev("e1", 7, wire.ModuleComplete, "2026-03-01 11:01")
	m.Module, m.Passed = "fire", tru()
	batch = append(batch, a, m, batch[1]) // and one duplicate inside the batch
	n, err := d.StoreEvents(ctx, batch, time.Now())
	if err != nil || n != 7 {
		t.Fatalf("stored %d, %v; want 7", n, err)
	}
	for range 2 {
		if n, err := d.StoreEvents(ctx, batch, time.Now()); err != nil || n != 0 {
			t.Fatalf("replay stored %d, %v", n, err)
		}
	}
	// The same seq in another epoch is another event.
	if n, err := d.StoreEvents(ctx, []db.Event{ev("e2", 1, wire.DoorEntry, "2026-03-01 09:40")}, time.Now()); err != nil || n != 1 {
		t.Fatalf("new epoch stored %d, %v", n, err)
	}
	hours, err := d.Hours(ctx, "s1", "2026-03-01")
	if err != nil {
		t.Fatal(err)
	}
	if hours[9].Entries != 3 || hours[10].Exits != 1 || hours[23].Sessions != 1 || hours[0].Entries != 0 {
		t.Fatalf("hours: 9h %+v 10h %+v 23h %+v 0h %+v", hours[9], hours[10], hours[23], hours[0])
	}
	next, _ := d.Hours(ctx, "s1", "2026-03-02")
	if next[0].Entries != 1 {
		t.Fatalf("00:01 on the next day: %+v", next[0])
	}
	days, err := d.Days(ctx, "s1", "2026-03-01", "2026-03-02")
	if err != nil || len(days) != 2 || days[0].Entries != 3 || days[1].Entries != 1 || days[0].FromEvents != 2 {
		t.Fatalf("days %+v, %v", days, err)
	}
	mods, _ := d.Modules(ctx, "s1", "2026-03-01", "2026-03-01")
	if len(mods) != 1 || mods[0].Completed != 1 || mods[0].Passed != 1 {
		t.Fatalf("modules %+v", mods)
	}
	ans, _ := d.Answers(ctx, "s1", "2026-03-01", "2026-03-01")
	if len(ans) != 1 || ans[0].Wrong != 1 || ans[0].Right != 0 || ans[0].Module != "fire" {
		t.Fatalf("answers %+v", ans)
	}
	total, dup, err := d.EventStats(ctx, "")
	if err != nil || total != 8 || dup != 0 {
		t.Fatalf("%d events, %d duplicates, %v", total, dup, err)
	}
}

// testRowBehindStreams stores events around one written into the events
// table by hand (behind the streams' marks): the batch that collides with it
// must store the others once, count only them in the aggregates, and
// replays must change nothing.
func testRowBehindStreams(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	setZone(t, d)
	entry := func(seq uint64) db.Event { return ev("e1", seq, wire.DoorEntry, "2026-03-01 09:10") }
	if n, err := d.StoreEvents(ctx, []db.Event{entry(1), entry(2), entry(3)}, time.Now()); err != nil || n != 3 {
		t.Fatalf("stored %d, %v; want 3", n, err)
	}
	e5 := entry(5)
	if _, err := d.SQL().ExecContext(ctx, `INSERT INTO events (site, device, epoch, seq, boot, time, kind, day, hour, received)
		VALUES ($1, $2, $3, $4, 1, $5, $6, '2026-03-01', 9, 0)`, e5.Site, e5.Device, e5.Epoch, int64(e5.Seq), e5.Time.UnixMilli(), string(e5.Kind)); err != nil {
		t.Fatal(err)
	}
	batch := []db.Event{entry(4), entry(5), entry(6)}
	if n, err := d.StoreEvents(ctx, batch, time.Now()); err != nil || n != 2 {
		t.Fatalf("stored %d, %v; want 2 (seq 5 was there)", n, err)
	}
	if n, err := d.StoreEvents(ctx, append(batch, entry(1), entry(7)), time.Now()); err != nil || n != 1 {
		t.Fatalf("replay with seq 7 stored %d, %v; want 1", n, err)
	}
	hours, err := d.Hours(ctx, "s1", "2026-03-01")
	if err != nil {
		t.Fatal(err)
	}
	if hours[9].Entries != 6 { // 1-4, 6, 7: the hand-written 5 was never counted
		t.Fatalf("9h entries %d, want 6", hours[9].Entries)
	}
	total, dup, err := d.EventStats(ctx, "")
	if err != nil || total != 7 || dup != 0 {
		t.Fatalf("%d events, %d duplicates, %v; want 7, 0", total, dup, err)
	}
}

func testCompleteThrough(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	store := func(seqs ...uint64) {
		var evs []db.Event
		for _, s := range seqs {
			evs = append(evs, ev("e1", s, wire.PresenceStart, "2026-03-01 12:00"))
		}
		if _, err := d.StoreEvents(ctx, evs, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	through := func() (uint64, uint64) {
		ss, err := d.Streams(ctx, "s1")
		if err != nil || len(ss) != 1 {
			t.Fatalf("streams %+v, %v", ss, err)
		}
		return ss[0].CompleteThrough, ss[0].MaxSeq
	}
	store(1, 2, 3, 5, 6)
	if ct, mx := through(); ct != 3 || mx != 6 {
		t.Fatalf("through %d max %d, want 3 6", ct, mx)
	}
	store(4)
	if ct, _ := through(); ct != 6 {
		t.Fatalf("through %d after the gap filled, want 6", ct)
	}
	var many []uint64
	for s := uint64(7); s <= 1100; s++ { // past one 1000-row page of the walk
		many = append(many, s)
	}
	store(many...)
	if ct, mx := through(); ct != 1100 || mx != 1100 {
		t.Fatalf("through %d max %d, want 1100", ct, mx)
	}
}

func testTotalsHighestSeq(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	keep := func(epoch string, tt wire.Totals, want bool) {
		t.Helper()
		kept, err := d.StoreTotals(ctx, epoch, tt, time.Now())
		if err != nil || kept != want {
			t.Fatalf("totals seq %d kept %v, %v; want %v", tt.Seq, kept, err, want)
		}
	}
	keep("e1", totals(10, 5, "2026-03-01", t0), true)
	keep("e1", totals(8, 4, "2026-03-01", t0.Add(time.Hour)), false)    // an old retained message arriving late
	keep("e1", totals(10, 5, "2026-03-01", t0), false)                  // a replay
	keep("e1", totals(10, 5, "2026-03-02", t0.Add(24*time.Hour)), true) // midnight: same seq, later
	keep("e2", totals(3, 2, "2026-03-02", t0.Add(25*time.Hour)), true)  // a new store
	ts, err := d.Totals(ctx, "s1")
	if err != nil || len(ts) != 2 {
		t.Fatalf("totals %+v, %v", ts, err)
	}
	var sum uint64
	for _, x := range ts {
		sum += x.Lifetime.Entries
	}
	if sum != 7 || ts[0].Date != "2026-03-02" {
		t.Fatalf("lifetime entries %d, want 5+2; %+v", sum, ts)
	}
}

func testPendingTimeZone(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	// Events before any totals: stored, not bucketed yet.
	evs := []db.Event{ev("e1", 1, wire.DoorEntry, "2026-03-01 00:30"), ev("e1", 2, wire.DoorEntry, "2026-03-01 07:59")}
	if n, err := d.StoreEvents(ctx, evs, time.Now()); err != nil || n != 2 {
		t.Fatalf("%d, %v", n, err)
	}
	if n, _ := d.Unbucketed(ctx, "s1"); n != 2 {
		t.Fatalf("%d unbucketed, want 2", n)
	}
	setZone(t, d)
	setZone(t, d) // again: nothing counted twice
	if n, _ := d.Unbucketed(ctx, "s1"); n != 0 {
		t.Fatalf("%d unbucketed after the zone came", n)
	}
	hours, _ := d.Hours(ctx, "s1", "2026-03-01")
	// 00:30 and 07:59 in Shanghai: UTC would have put both on 2026-02-28.
	if hours[0].Entries != 1 || hours[7].Entries != 1 {
		t.Fatalf("hours %+v", hours)
	}
}

func testDaysFromDaily(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	setZone(t, d)
	if _, err := d.StoreEvents(ctx, []db.Event{ev("e1", 1, wire.DoorEntry, "2026-03-01 10:00"), ev("e1", 2, wire.DoorEntry, "2026-03-02 10:00")}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The device counted 4 on the 1st (events 3 of them lost to its disk
	// cap): its closed day is the truth for that device epoch.
	day := wire.Daily{V: 1, Date: "2026-03-01", Counters: wire.Counters{Entries: 4}, Seq: 1}
	if kept, err := d.StoreDaily(ctx, "s1", "d1", "e1", day, time.Now()); err != nil || !kept {
		t.Fatalf("daily %v %v", kept, err)
	}
	old := day
	old.Seq, old.Counters.Entries = 0, 1
	if kept, _ := d.StoreDaily(ctx, "s1", "d1", "e1", old, time.Now()); kept {
		t.Fatal("an older daily replaced a newer one")
	}
	days, err := d.Days(ctx, "s1", "2026-03-01", "2026-03-31")
	if err != nil || len(days) != 2 {
		t.Fatalf("days %+v, %v", days, err)
	}
	if days[0].Entries != 4 || days[0].FromDaily != 1 || days[0].FromEvents != 0 || days[1].Entries != 1 || days[1].FromEvents != 1 {
		t.Fatalf("days %+v", days)
	}
}

func testPruneThenReplay(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	setZone(t, d)
	evs := []db.Event{ev("e1", 1, wire.DoorEntry, "2026-03-01 10:00"), ev("e1", 2, wire.DoorEntry, "2026-03-01 10:01"),
		ev("e1", 4, wire.DoorEntry, "2026-03-01 10:03")}
	if _, err := d.StoreEvents(ctx, evs, time.Now()); err != nil {
		t.Fatal(err)
	}
	n, err := d.Prune(ctx, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2 (seq 4 is past the gap and stays)", n, err)
	}
	if n, err := d.StoreEvents(ctx, evs, time.Now()); err != nil || n != 0 {
		t.Fatalf("replay after prune stored %d, %v", n, err)
	}
	hours, _ := d.Hours(ctx, "s1", "2026-03-01")
	if hours[10].Entries != 3 {
		t.Fatalf("entries %d, want 3", hours[10].Entries)
	}
}

func testConcurrentWriters(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	setZone(t, d)
	var all []db.Event
	for s := uint64(1); s <= 200; s++ {
		all = append(all, ev("e1", s, wire.DoorEntry, "2026-03-01 10:00"))
	}
	// Two writers (two replicas) store overlapping, differently ordered
	// batches of the same stream.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < len(all); i += 25 {
				j := i
				if w == 1 {
					j = len(all) - 25 - i
				}
				n, err := d.StoreEvents(ctx, all[j:j+25], time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	hours, _ := d.Hours(ctx, "s1", "2026-03-01")
	if total != 200 || hours[10].Entries != 200 {
		t.Fatalf("stored %d, entries %d; want 200", total, hours[10].Entries)
	}
}

func testStatusOrder(t *testing.T, open func(t *testing.T) *db.DB) {
	d := open(t)
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	store := func(online bool, at time.Time, backlog uint64) {
		t.Helper()
		if err := d.StoreStatus(ctx, "s1", "d1", "e1", wire.Status{V: 1, Online: online, Time: at, Backlog: backlog, Sensors: map[string]string{"door": "ok"}}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	get := func() db.Device {
		ds, err := d.Devices(ctx, "s1")
		if err != nil || len(ds) != 1 {
			t.Fatalf("devices %+v %v", ds, err)
		}
		return ds[0]
	}
	store(true, t0.Add(time.Minute), 5)
	store(true, t0, 9) // older, arriving late
	if g := get(); !g.Online || g.Backlog != 5 || g.Sensors["door"] != "ok" {
		t.Fatalf("%+v", g)
	}
	store(false, t0, 5) // the last will, stamped when the session began
	if g := get(); g.Online {
		t.Fatalf("the last will did not apply: %+v", g)
	}
	store(true, t0.Add(2*time.Minute), 0)
	if g := get(); !g.Online || g.Epoch != "e1" {
		t.Fatalf("%+v", g)
	}
}
