package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/edge/wire/wiretest"
	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
)

func TestCodecRoundTrip(t *testing.T) {
	events := append(visitEvents(15), []wire.Event{
		{Kind: wire.SensorFault, Sensor: "buttons.ok", Reason: "stuck low 10m"},
		{Kind: wire.PackInstalled, Pack: "builtin", PackVer: "1.2.3"},
		{Kind: wire.PackRejected, Pack: "x", Reason: "签名无效"},
		{Kind: "future.kind", Reason: "kept as a string"},
		{Kind: wire.ModuleComplete, Module: "fire", Score: 10000, Total: 10000, Passed: ptr(false)},
	}...)
	for i, e := range events {
		e.Seq = uint64(i + 1)
		e.Boot = uint64(1 << (i % 40))
		e.V = wire.Version
		e.Time = time.Date(1+i*300, 1, 2, 3, 4, 5, i*1000+7, time.UTC)
		b := encodeEvent(nil, &e)
		got, err := decodeEvent(e.Seq, b)
		if err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, e)
		}
		for cut := 0; cut < len(b); cut++ {
			if _, err := decodeEvent(1, b[:cut]); err == nil && cut < 5 {
				t.Errorf("event cut to %d bytes decoded", cut)
			}
		}
	}
	for _, bad := range [][]byte{nil, {2}, {1, 1, 2, 0, 200}, {1, 1, 2, 0, 1, 99}, {1, 1, 2, 0, 1, tagModule, 50, 'a'}, {1, 1, 2, 0x80, 0x94, 0xeb, 0xdc, 0x03, 1}} {
		if _, err := decodeEvent(1, bad); err == nil {
			t.Errorf("%v decoded", bad)
		}
	}
}

func FuzzDecodeStoredEvent(f *testing.F) {
	for _, e := range visitEvents(15) {
		e.Time = start
		f.Add(encodeEvent(nil, &e))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEvent(1, b)
		if err != nil {
			return
		}
		again := encodeEvent(nil, &e)
		e2, err := decodeEvent(1, again)
		if err != nil || !reflect.DeepEqual(e, e2) {
			t.Fatalf("re-encoding changed %+v: %+v %v", e, e2, err)
		}
	})
}

func TestRecordAssignsAndPending(t *testing.T) {
	clk := clocktest.NewFake(start)
	s, _ := openTest(t, Options{Clock: clk, Site: "site", Device: "dev"})
	ctx := context.Background()
	given := start.Add(-time.Minute)
	if err := s.Record(ctx, wire.Event{Kind: wire.DoorEntry, Time: given, Seq: 99, Boot: 99, V: 7}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 9; i++ {
		clk.Advance(time.Second)
		if err := s.Record(ctx, wire.Event{Kind: wire.DoorExit}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Pending(0, 100)
	if err != nil || len(all) != 10 {
		t.Fatalf("pending: %d %v", len(all), err)
	}
	for i, e := range all {
		if e.Seq != uint64(i+1) || e.Boot != 1 || e.V != 1 {
			t.Errorf("event %d: seq %d boot %d v %d", i, e.Seq, e.Boot, e.V)
		}
	}
	if !all[0].Time.Equal(given) || !all[1].Time.Equal(start.Add(time.Second)) {
		t.Errorf("times %v %v", all[0].Time, all[1].Time)
	}
	page, _ := s.Pending(4, 3)
	if len(page) != 3 || page[0].Seq != 5 || page[2].Seq != 7 {
		t.Errorf("Pending(4, 3) = %v", page)
	}
	if rest, _ := s.Pending(10, 5); len(rest) != 0 {
		t.Errorf("Pending after the last = %v", rest)
	}
	if none, _ := s.Pending(0, 0); none != nil {
		t.Error("Pending with max 0 returned events")
	}
	select {
	case <-s.Changed():
	default:
		t.Error("Changed not signalled")
	}
	st := s.Stats()
	if st.LastSeq != 10 || st.Backlog != 10 || st.Events != 10 || st.Boot != 1 || st.Bytes <= 0 || st.Recovered != "" {
		t.Errorf("stats %+v", st)
	}
	tot := s.Totals()
	if tot.Seq != 10 || tot.Lifetime.Entries != 1 || tot.Lifetime.Exits != 9 || tot.Site != "site" || tot.Device != "dev" ||
		tot.Date != "2026-03-04" || tot.TimeZone != "Asia/Shanghai" || tot.Boot != 1 || tot.V != 1 {
		t.Errorf("totals %+v", tot)
	}
}

func TestRecordRefuses(t *testing.T) {
	s, _ := openTest(t, Options{})
	err := s.Record(context.Background(), wire.Event{Kind: wire.Feedback, Rating: 9})
	if !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("bad rating: %v", err)
	}
	if err := s.Record(context.Background(), wire.Event{Kind: "visit"}); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("unknown kind: %v", err)
	}
	// A badly named sensor or an over-long reason does not cost a count.
	if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry, Sensor: "door outer", Reason: strings.Repeat("x", 500)}); err != nil {
		t.Errorf("door entry with odd sensor name: %v", err)
	}
	if ev, _ := s.Pending(0, 1); len(ev) != 1 || ev[0].Sensor != "door_outer" || len(ev[0].Reason) != 200 || s.Totals().Lifetime.Entries != 1 {
		t.Errorf("sanitized event %+v", ev)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A done context either wins or loses the race with the commit; it
	// never hangs and never corrupts.
	if err := s.Record(ctx, wire.Event{Kind: wire.DoorEntry}); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if err := s.Ack(50); !errors.Is(err, ErrUnknownSeq) {
		t.Errorf("ack of unknown seq: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); !errors.Is(err, ErrClosed) {
		t.Errorf("record after close: %v", err)
	}
	if _, err := s.Pending(0, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("pending after close: %v", err)
	}
	if err := s.Ack(1); !errors.Is(err, ErrClosed) {
		t.Errorf("ack after close: %v", err)
	}
}

func TestOptionsRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "edge.db")
	if _, err := Open(p, Options{MaxBytes: 1000}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("tiny cap: %v", err)
	}
	if _, err := Open(p, Options{Retention: -time.Hour}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("negative retention: %v", err)
	}
}

// TestCountersAndDayRollover drives the clock over local midnight in
// Shanghai (UTC+8, so 16:00 UTC) and checks lifetime, today and closed
// days after each step.
func TestCountersAndDayRollover(t *testing.T) {
	day1 := time.Date(2026, 3, 4, 23, 59, 0, 0, shanghai)
	clk := clocktest.NewFake(day1)
	s, p := openTest(t, Options{Clock: clk})
	ctx := context.Background()
	rec := func(e wire.Event) {
		t.Helper()
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	type want struct{ lifeEntries, todayEntries, todaySessions uint64 }
	steps := []struct {
		name  string
		at    time.Time
		ev    []wire.Event
		date  string
		want  want
		close []string // closed days after ""
	}{
		{"before midnight", day1, []wire.Event{{Kind: wire.DoorEntry}, {Kind: wire.SessionStart}}, "2026-03-04", want{1, 1, 1}, nil},
		{"one second before", time.Date(2026, 3, 4, 23, 59, 59, 999e6, shanghai), []wire.Event{{Kind: wire.DoorEntry, AfterHours: true}}, "2026-03-04", want{2, 2, 1}, nil},
		{"midnight local is 16:00 UTC", time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC), nil, "2026-03-05", want{2, 0, 0}, []string{"2026-03-04"}},
		{"next day", time.Date(2026, 3, 5, 0, 0, 1, 0, shanghai), []wire.Event{{Kind: wire.DoorEntry}, {Kind: wire.SessionStart}, {Kind: wire.SessionStart}}, "2026-03-05", want{3, 1, 2}, []string{"2026-03-04"}},
		{"two days later, nothing recorded", time.Date(2026, 3, 7, 9, 0, 0, 0, shanghai), nil, "2026-03-07", want{3, 0, 0}, []string{"2026-03-04", "2026-03-05"}},
	}
	for _, st := range steps {
		clk.Set(st.at)
		for _, e := range st.ev {
			rec(e)
		}
		tot := s.Totals()
		got := want{tot.Lifetime.Entries, tot.Today.Entries, tot.Today.Sessions}
		if tot.Date != st.date || got != st.want {
			t.Errorf("%s: date %s %+v, want %s %+v", st.name, tot.Date, got, st.date, st.want)
		}
		closed, err := s.ClosedDaysAfter("")
		if err != nil {
			t.Fatal(err)
		}
		var dates []string
		for _, d := range closed {
			dates = append(dates, d.Date)
		}
		if !reflect.DeepEqual(dates, st.close) {
			t.Errorf("%s: closed days %v, want %v", st.name, dates, st.close)
		}
	}
	d4, ok := s.Day("2026-03-04")
	if !ok || d4.Entries != 2 || d4.AfterHoursEntries != 1 || d4.Sessions != 1 {
		t.Errorf("closed day 4: %v %+v", ok, d4)
	}
	if _, ok := s.Day("2026-03-06"); ok {
		t.Error("a day without events exists")
	}
	if after, _ := s.ClosedDaysAfter("2026-03-04"); len(after) != 1 || after[0].Date != "2026-03-05" || after[0].Seq != 6 {
		t.Errorf("ClosedDaysAfter(4th) = %+v", after)
	}
	days, err := s.Days("2026-03-01", "2026-03-31")
	if err != nil || len(days) != 2 || days[0].Seq != 3 || days[1].Counters.Sessions != 2 || days[0].V != 1 {
		t.Errorf("Days = %+v %v", days, err)
	}
	if days, _ := s.Days("2026-03-05", "2026-03-05"); len(days) != 1 {
		t.Errorf("Days of one day = %+v", days)
	}
	// Events are counted on the local day of their own time; the closed day
	// that changed is reported.
	seqBefore := s.Totals().Seq
	if changed, _ := s.ClosedDaysChangedSince(seqBefore); len(changed) != 0 {
		t.Errorf("changed days before the late event: %+v", changed)
	}
	rec(wire.Event{Kind: wire.DoorExit, Time: time.Date(2026, 3, 4, 12, 0, 0, 0, shanghai)})
	if d4, _ := s.Day("2026-03-04"); d4.Exits != 1 {
		t.Errorf("late event not counted on its own day: %+v", d4)
	}
	if changed, _ := s.ClosedDaysChangedSince(seqBefore); len(changed) != 1 || changed[0].Date != "2026-03-04" || changed[0].Counters.Exits != 1 {
		t.Errorf("changed days after the late event: %+v", changed)
	}
	// Closed days survive a restart.
	s.Close()
	s2 := openAt(t, p, Options{Clock: clk})
	if d4, ok := s2.Day("2026-03-04"); !ok || d4.Entries != 2 {
		t.Errorf("after restart: %+v", d4)
	}
}

// TestCountersExact records a realistic mix and compares every counter
// with what wire.Counters.Add computes, lifetime and per day.
func TestCountersExact(t *testing.T) {
	clk := clocktest.NewFake(start)
	s, _ := openTest(t, Options{Clock: clk, Site: "bantian", Device: "kiosk-1"})
	events := visitEvents(1000)
	want := recordAll(t, s, events, 8)
	tot := s.Totals()
	if !tot.Lifetime.Equal(want) || !tot.Today.Equal(want) {
		t.Errorf("counters\n got %+v\nwant %+v", tot.Lifetime, want)
	}
	b, _ := jsonMarshal(tot)
	if err := wiretest.Validate(wire.SchemaTotals, b); err != nil {
		t.Errorf("totals do not match the schema: %v", err)
	}
	ev, _ := s.Pending(0, 5)
	for _, e := range ev {
		b, _ := jsonMarshal(e)
		if err := wiretest.Validate(wire.SchemaEvent, b); err != nil {
			t.Errorf("stored event does not match the schema: %v", err)
		}
	}
}

func TestConcurrentRecorders(t *testing.T) {
	s, _ := openTest(t, Options{})
	const workers, each = 64, 40
	want := recordAll(t, s, visitEvents(workers*each), workers)
	ev, err := s.Pending(0, workers*each+10)
	if err != nil || len(ev) != workers*each {
		t.Fatalf("%d events, %v", len(ev), err)
	}
	var got wire.Counters
	for i, e := range ev {
		if e.Seq != uint64(i+1) {
			t.Fatalf("seq %d at %d", e.Seq, i)
		}
		got.Add(e)
	}
	if !got.Equal(want) || !s.Totals().Lifetime.Equal(want) {
		t.Error("counters differ from the events")
	}
}

func TestRestartKeepsState(t *testing.T) {
	clk := clocktest.NewFake(start)
	p := filepath.Join(t.TempDir(), "sub", "dir", "edge.db")
	s := openAt(t, p, Options{Clock: clk})
	want := recordAll(t, s, visitEvents(100), 4)
	for seq := uint64(1); seq <= 40; seq++ {
		if err := s.Ack(seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for boot := uint64(2); boot <= 4; boot++ {
		s = openAt(t, p, Options{Clock: clk})
		st := s.Stats()
		if st.Boot != boot || st.LastSeq != 100+boot-2 || st.Watermark != 40 {
			t.Fatalf("reopen %d: %+v", boot, st)
		}
		if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
			t.Fatal(err)
		}
		want.Add(wire.Event{Kind: wire.DoorEntry})
		ev, _ := s.Pending(st.LastSeq, 10)
		if len(ev) != 1 || ev[0].Seq != st.LastSeq+1 || ev[0].Boot != boot {
			t.Fatalf("new event %+v", ev)
		}
		if !s.Totals().Lifetime.Equal(want) {
			t.Fatal("lifetime counters lost")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAckWatermark(t *testing.T) {
	s, p := openTest(t, Options{})
	recordAll(t, s, visitEvents(10), 1)
	steps := []struct {
		ack  uint64
		want uint64
	}{{2, 0}, {1, 2}, {1, 2}, {5, 2}, {4, 2}, {3, 5}, {7, 5}, {10, 5}, {6, 7}, {8, 8}, {9, 10}}
	for _, st := range steps {
		if err := s.Ack(st.ack); err != nil {
			t.Fatal(err)
		}
		if got := s.Watermark(); got != st.want {
			t.Fatalf("after ack %d: watermark %d, want %d", st.ack, got, st.want)
		}
	}
	if s.Stats().Backlog != 0 {
		t.Errorf("backlog %d", s.Stats().Backlog)
	}
	s.Close()
	s = openAt(t, p, Options{})
	if s.Watermark() != 10 {
		t.Errorf("watermark after restart %d", s.Watermark())
	}
}

func TestRetention(t *testing.T) {
	clk := clocktest.NewFake(start)
	s, _ := openTest(t, Options{Clock: clk, Retention: 48 * time.Hour})
	recordAll(t, s, visitEvents(30), 1) // seq 1..30, recorded at start
	clk.Advance(time.Hour)
	recordAll(t, s, visitEvents(10), 1) // 31..40 an hour later
	for seq := uint64(1); seq <= 35; seq++ {
		s.Ack(seq)
	}
	unacked := func() {
		t.Helper()
		ev, _ := s.Pending(35, 100)
		if len(ev) < 5 || ev[0].Seq != 36 {
			t.Fatalf("unacknowledged events lost: %v", ev)
		}
	}
	clk.Advance(47 * time.Hour) // 48 h after the first batch: nothing older than 48 h yet
	recordAll(t, s, visitEvents(1), 1)
	if st := s.Stats(); st.Events != 41 {
		t.Fatalf("events held %d, want 41", st.Events)
	}
	clk.Advance(time.Minute) // the first 30 are now older than 48 h and acknowledged
	recordAll(t, s, visitEvents(1), 1)
	if ev, _ := s.Pending(0, 1); len(ev) != 1 || ev[0].Seq != 31 {
		t.Fatalf("oldest held after retention: %+v", ev)
	}
	if st := s.Stats(); st.Events != 12 || st.Dropped != 0 {
		t.Fatalf("stats after retention %+v", st)
	}
	unacked()
	clk.Advance(30 * 24 * time.Hour) // 31..35 expire; 36..42 are not acknowledged and stay
	recordAll(t, s, visitEvents(1), 1)
	if ev, _ := s.Pending(0, 1); len(ev) != 1 || ev[0].Seq != 36 {
		t.Fatalf("oldest held: %+v", ev)
	}
	unacked()
	if s.Totals().Lifetime.Entries == 0 {
		t.Error("counters lost by retention")
	}
}

func TestLocked(t *testing.T) {
	s, p := openTest(t, Options{})
	for name, open := range map[string]func(string, Options) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		began := time.Now()
		_, err := open(p, Options{})
		took := time.Since(began)
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want ErrLocked naming %s", name, err, p)
		}
		if took > 3*time.Second {
			t.Errorf("%s took %v", name, took)
		}
	}
	if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
		t.Errorf("first store broken: %v", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	clk := clocktest.NewFake(start)
	p := filepath.Join(t.TempDir(), "edge.db")
	if _, err := OpenReadOnly(p, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	s := openAt(t, p, Options{Clock: clk, Site: "s", Device: "d"})
	want := recordAll(t, s, visitEvents(50), 2)
	s.Ack(1)
	s.Close()
	r, err := OpenReadOnly(p, Options{Clock: clk, Site: "s", Device: "d"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st := r.Stats()
	if st.Boot != 1 || st.LastSeq != 50 || st.Watermark != 1 || st.Backlog != 49 {
		t.Errorf("read-only stats %+v", st)
	}
	if tot := r.Totals(); !tot.Lifetime.Equal(want) || !tot.Today.Equal(want) {
		t.Error("read-only totals differ")
	}
	if days, err := r.Days("2026-01-01", "2026-12-31"); err != nil || len(days) != 1 {
		t.Errorf("read-only days %v %v", days, err)
	}
	if err := r.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("record on read-only: %v", err)
	}
	if err := r.Ack(2); !errors.Is(err, ErrReadOnly) {
		t.Errorf("ack on read-only: %v", err)
	}
	// Two readers may share the file.
	r2, err := OpenReadOnly(p, Options{})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	r2.Close()
	r.Close()
	// The read-only opens did not count a boot.
	s = openAt(t, p, Options{})
	if s.Stats().Boot != 2 {
		t.Errorf("boot after read-only opens: %d", s.Stats().Boot)
	}
}

func TestCorruptFileMovedAside(t *testing.T) {
	good := func(t *testing.T) (string, []byte) {
		p := filepath.Join(t.TempDir(), "edge.db")
		s := openAt(t, p, Options{})
		recordAll(t, s, visitEvents(800), 32)
		s.Close()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return p, b
	}
	cases := map[string]func(t *testing.T, p string, b []byte){
		"random bytes": func(t *testing.T, p string, b []byte) {
			r := make([]byte, 64<<10)
			for i := range r {
				r[i] = byte(i*7919 + i/3)
			}
			os.WriteFile(p, r, 0o600)
		},
		"text file": func(t *testing.T, p string, b []byte) { os.WriteFile(p, []byte("site: x\n"), 0o600) },
		"truncated to half": func(t *testing.T, p string, b []byte) {
			os.Truncate(p, int64(len(b)/2))
		},
		"truncated to one page":  func(t *testing.T, p string, b []byte) { os.Truncate(p, 4096) },
		"truncated to 100 bytes": func(t *testing.T, p string, b []byte) { os.Truncate(p, 100) },
		"wrong magic": func(t *testing.T, p string, b []byte) {
			for _, off := range []int{16, 4096 + 16} { // the magic of both meta pages
				b[off] ^= 0xff
			}
			os.WriteFile(p, b, 0o600)
		},
		"both meta pages zeroed": func(t *testing.T, p string, b []byte) {
			clear(b[:8192])
			os.WriteFile(p, b, 0o600)
		},
		"another program's bbolt file": func(t *testing.T, p string, b []byte) {
			os.Remove(p)
			s := openAt(t, p, Options{})
			s.Close()
			// Rewrite the format marker as if another program made the file.
			raw, _ := os.ReadFile(p)
			i := strings.Index(string(raw), formatName)
			if i < 0 {
				t.Fatal("format marker not found")
			}
			copy(raw[i:], "someone-else/9")
			os.WriteFile(p, raw, 0o600)
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			p, b := good(t)
			damage(t, p, b)
			var logged strings.Builder
			s, err := Open(p, Options{Logger: slogTo(&logged)})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			st := s.Stats()
			if st.Recovered == "" || !strings.HasPrefix(st.Recovered, p+".corrupt-") {
				t.Fatalf("Recovered = %q", st.Recovered)
			}
			if _, err := os.Stat(st.Recovered); err != nil {
				t.Errorf("moved-aside file: %v", err)
			}
			// Salvaged or not, the sequence goes on from at least the old
			// last seq; what is left to send is what could be read of the
			// 800 unsent events, the rest counts as dropped.
			if st.LastSeq < 800 || st.Events != st.Backlog || st.Events > 0 && st.Dropped+st.Events != 800 {
				t.Errorf("fresh store stats %+v", st)
			}
			t.Logf("%s: %d of 800 unsent events salvaged, %d dropped", name, st.Events, st.Dropped)
			if !strings.Contains(logged.String(), "level=ERROR") || !strings.Contains(logged.String(), st.Recovered) {
				t.Errorf("not logged at Error: %s", logged.String())
			}
			if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
				t.Fatal(err)
			}
			if ev, _ := s.Pending(st.LastSeq, 5); len(ev) != 1 || ev[0].Seq != st.LastSeq+1 {
				t.Errorf("fresh store events %+v", ev)
			}
		})
	}
}

func TestUnreadableEventCountsAsDropped(t *testing.T) {
	var logged strings.Builder
	s, p := openTest(t, Options{Logger: slogTo(&logged)})
	recordAll(t, s, visitEvents(5), 1)
	// Damage event 3 in place, the way a bad sector would.
	err := s.db.Update(func(tx *boltTx) error {
		return tx.Bucket(bucketEvents).Put(seqKey(3), []byte{9, 9, 9})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // read again, as after reconnections: counted and logged once
		ev, err := s.Pending(0, 10)
		if err != nil || len(ev) != 4 {
			t.Fatalf("%d events, %v", len(ev), err)
		}
	}
	if n := strings.Count(logged.String(), "unreadable event"); n != 1 {
		t.Errorf("unreadable event logged %d times:\n%s", n, logged.String())
	}
	s.Ack(1)
	s.Ack(2)
	if s.Watermark() != 3 || s.Stats().Dropped != 1 {
		t.Errorf("watermark %d dropped %d", s.Watermark(), s.Stats().Dropped)
	}
	s.Close()
	s = openAt(t, p, Options{})
	if s.Watermark() != 3 || s.Stats().Dropped != 1 {
		t.Errorf("after restart: watermark %d dropped %d", s.Watermark(), s.Stats().Dropped)
	}
}

func TestCheckMarkerTriggersFullCheck(t *testing.T) {
	p := filepath.Join(t.TempDir(), "edge.db")
	s := openAt(t, p, Options{})
	want := recordAll(t, s, visitEvents(2000), 32)
	s.Close()
	// A healthy file with a marker opens normally and loses the marker.
	os.WriteFile(p+checkSuffix, []byte("x"), 0o600)
	s = openAt(t, p, Options{})
	if st := s.Stats(); st.Recovered != "" || st.LastSeq != 2000 {
		t.Fatalf("healthy file with marker: %+v", st)
	}
	s.Close()
	if _, err := os.Stat(p + checkSuffix); !os.IsNotExist(err) {
		t.Errorf("marker kept: %v", err)
	}
	// Damage pages in the middle of the file, where old events live and
	// Open does not look, and leave the marker as a failed write does.
	// Those are the leaf pages (flags 0x02 in the page header) that hold
	// the key of event 1000.
	b, _ := os.ReadFile(p)
	key := seqKey(1000)
	damaged := 0
	for off := 2 * 4096; off+4096 <= len(b); off += 4096 {
		pg := b[off : off+4096]
		if pg[8] == 0x02 && strings.Contains(string(pg[16:]), string(key)) {
			clear(pg[16:])
			damaged++
		}
	}
	if damaged == 0 {
		t.Fatal("no leaf page holds event 1000")
	}
	os.WriteFile(p, b, 0o600)
	// Without the marker the damage goes unseen at Open (it would only show
	// when the uplink reads those events)...
	plain := filepath.Join(t.TempDir(), "plain.db")
	os.WriteFile(plain, b, 0o600)
	s = openAt(t, plain, Options{})
	if st := s.Stats(); st.Recovered != "" {
		t.Fatalf("test damage already visible without the marker; damage fewer pages")
	}
	// ...until the uplink reads them: an error, not a crash, and a marker.
	if _, err := s.Pending(0, 2000); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Pending over a damaged page: %v", err)
	}
	s.Close()
	if _, err := os.Stat(plain + checkSuffix); err != nil {
		t.Errorf("no marker after the damage was found: %v", err)
	}
	s = openAt(t, plain, Options{})
	st := s.Stats()
	if st.Recovered == "" {
		t.Errorf("damaged file not moved aside at the next start: %+v", st)
	}
	// What the damaged file still had is carried over: seq, boot, counters,
	// days and the unsent events on undamaged pages; those on the damaged
	// pages count as dropped.
	if st.LastSeq != 2000 || st.Boot != 4 || st.Dropped+st.Events != 2000 || st.Backlog != st.Events || st.Events < 1500 {
		t.Errorf("salvage: %+v", st)
	}
	t.Logf("salvage: %d of 2000 unsent events kept, %d on %d damaged pages dropped", st.Events, st.Dropped, damaged)
	drain(t, s)
	if s.Watermark() != 2000 {
		t.Errorf("backlog did not drain past the lost events: watermark %d", s.Watermark())
	}
	if !s.Totals().Lifetime.Equal(want) {
		t.Error("lifetime counters not salvaged")
	}
	if days, _ := s.Days("2000-01-01", "2100-01-01"); len(days) != 1 {
		t.Errorf("days not salvaged: %+v", days)
	}
	s.Close()
	// ...with it, the full check finds it and the file is moved aside.
	os.WriteFile(p+checkSuffix, []byte("x"), 0o600)
	s = openAt(t, p, Options{})
	if st := s.Stats(); st.Recovered == "" {
		t.Errorf("damaged file with marker not moved aside: %+v", st)
	}
}

// drain reads and acknowledges every pending event, as the uplink does.
func drain(t *testing.T, s *Store) (sent int) {
	t.Helper()
	for after := s.Watermark(); ; {
		ev, err := s.Pending(after, 500)
		if err != nil {
			t.Fatalf("pending after %d: %v", after, err)
		}
		if len(ev) == 0 {
			return sent
		}
		for _, e := range ev {
			if err := s.Ack(e.Seq); err != nil {
				t.Fatal(err)
			}
			after = e.Seq
			sent++
		}
	}
}

// TestConcurrentUplink runs recorders, an uplink that reads the outbox and
// acknowledges out of order within a window, and readers of totals and
// stats, all at once (meant for -race). At the end everything is
// acknowledged and the counters are exact.
func TestConcurrentUplink(t *testing.T) {
	s, p := openTest(t, Options{})
	const n = 3000
	done := make(chan struct{})
	var delivered []uint64
	go func() {
		defer close(done)
		after := uint64(0)
		for len(delivered) < n {
			ev, err := s.Pending(after, 50)
			if err != nil {
				t.Error(err)
				return
			}
			if len(ev) == 0 {
				<-s.Changed()
				continue
			}
			// Acknowledge the window backwards: the watermark may only move
			// once the first of it is acknowledged.
			for i := len(ev) - 1; i >= 0; i-- {
				if err := s.Ack(ev[i].Seq); err != nil {
					t.Error(err)
					return
				}
				if i > 0 && s.Watermark() >= ev[i].Seq {
					t.Errorf("watermark %d passed unacknowledged %d", s.Watermark(), ev[i-1].Seq)
					return
				}
			}
			for _, e := range ev {
				delivered = append(delivered, e.Seq)
			}
			after = ev[len(ev)-1].Seq
		}
	}()
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				tot := s.Totals()
				st := s.Stats()
				if tot.Lifetime.Entries > st.LastSeq || st.Watermark > st.LastSeq {
					t.Errorf("inconsistent: %+v %+v", tot.Lifetime, st)
				}
				time.Sleep(200 * time.Microsecond) // pace the reader, it only looks for races
			}
		}
	}()
	want := recordAll(t, s, visitEvents(n), 16)
	<-done
	close(stop)
	for i, seq := range delivered {
		if seq != uint64(i+1) {
			t.Fatalf("delivered seq %d at %d", seq, i)
		}
	}
	if s.Watermark() != n || !s.Totals().Lifetime.Equal(want) {
		t.Errorf("watermark %d, counters exact %v", s.Watermark(), s.Totals().Lifetime.Equal(want))
	}
	s.Close()
	s = openAt(t, p, Options{})
	if s.Watermark() != n || s.Stats().Backlog != 0 {
		t.Errorf("after restart %+v", s.Stats())
	}
}

// An acknowledgement reaches the disk on its own, without a later Record or
// Close, within about flushEvery: the writer arms its flush on the ack
// rather than polling.
func TestAckFlushedWhileIdle(t *testing.T) {
	s, _ := openTest(t, Options{})
	recordAll(t, s, visitEvents(3), 1)
	for seq := uint64(1); seq <= 3; seq++ {
		if err := s.Ack(seq); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * flushEvery)
	for {
		s.mu.Lock()
		saved := s.wmSaved
		s.mu.Unlock()
		if saved == 3 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("watermark on disk %d after %v, want 3", saved, 10*flushEvery)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEpoch: a store file gets a random epoch when it is made and keeps it
// across restarts, compaction and salvage; every event, totals and day it
// hands out carries it; a file written before epochs existed gets one at its
// first writable open and keeps it; a store that restarts from nothing gets
// a new one.
func TestEpoch(t *testing.T) {
	clk := clocktest.NewFake(start)
	s, p := openTest(t, Options{Clock: clk})
	epoch := s.Stats().Epoch
	if !wire.ValidEpoch(epoch) {
		t.Fatalf("new store epoch %q", epoch)
	}
	if other, _ := openTest(t, Options{}); other.Stats().Epoch == epoch {
		t.Fatal("two new stores share an epoch")
	}
	recordAll(t, s, visitEvents(30), 4)
	clk.Advance(24 * time.Hour)
	check := func(when string) {
		t.Helper()
		if e := s.Stats().Epoch; e != epoch {
			t.Errorf("%s: epoch %q, want %q", when, e, epoch)
		}
		if e := s.Totals().Epoch; e != epoch {
			t.Errorf("%s: totals epoch %q", when, e)
		}
		ev, err := s.Pending(0, 100)
		if err != nil || len(ev) == 0 {
			t.Fatalf("%s: pending %d, %v", when, len(ev), err)
		}
		for _, e := range ev {
			if e.Epoch != epoch {
				t.Fatalf("%s: event %d epoch %q", when, e.Seq, e.Epoch)
			}
		}
		days, err := s.ClosedDaysAfter("")
		if err != nil || len(days) == 0 {
			t.Fatalf("%s: days %v, %v", when, days, err)
		}
		for _, d := range days {
			if d.Epoch != epoch {
				t.Errorf("%s: day %s epoch %q", when, d.Date, d.Epoch)
			}
		}
	}
	check("first open")
	s.Close()
	s = openAt(t, p, Options{Clock: clk})
	check("reopen")
	if err := s.compact(0); err != nil {
		t.Fatal(err)
	}
	check("after compaction")
	s.Close()

	// A file from before epochs: no epoch key, days without one.
	db, err := bolt.Open(p, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		days := tx.Bucket(bucketDays)
		c := days.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var d wire.Daily
			json.Unmarshal(v, &d)
			d.Epoch = ""
			b, _ := json.Marshal(d)
			if err := days.Put(k, b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Delete(keyEpoch)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(p, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if e := ro.Stats().Epoch; e != "" {
		t.Errorf("old file read-only: epoch %q, want none yet", e)
	}
	ro.Close()
	s = openAt(t, p, Options{Clock: clk})
	epoch = s.Stats().Epoch
	if !wire.ValidEpoch(epoch) {
		t.Fatalf("old file got epoch %q", epoch)
	}
	if s.Stats().LastSeq != 30 {
		t.Errorf("old file lost its seq: %+v", s.Stats())
	}
	check("old file upgraded")
	s.Close()
	s = openAt(t, p, Options{Clock: clk})
	check("old file reopened")
	s.Close()

	// Salvage that reads the counters keeps the epoch (seq goes on).
	os.WriteFile(p+checkSuffix, []byte("x"), 0o600)
	b, _ := os.ReadFile(p)
	for off := 2 * 4096; off+4096 <= len(b); off += 4096 {
		if pg := b[off : off+4096]; pg[8] == 0x02 && strings.Contains(string(pg[16:]), string(seqKey(5))) {
			clear(pg[16:])
		}
	}
	os.WriteFile(p, b, 0o600)
	s = openAt(t, p, Options{Clock: clk})
	if st := s.Stats(); st.Recovered == "" || st.Epoch != epoch || st.LastSeq != 30 {
		t.Errorf("salvaged: %+v, want epoch %s kept", st, epoch)
	}
	s.Close()

	// Nothing readable: a new epoch.
	os.WriteFile(p, bytes.Repeat([]byte{0x5a}, 64<<10), 0o600)
	s = openAt(t, p, Options{Clock: clk})
	if st := s.Stats(); st.Recovered == "" || st.Epoch == epoch || !wire.ValidEpoch(st.Epoch) {
		t.Errorf("unreadable file: %+v, want a new epoch (old %s)", st, epoch)
	}
}

// TestClockUnsyncedMarked: whether the clock could be trusted was recorded
// nowhere. An event is marked clock_unsynced while the system says its
// clock is not synchronised, and when the clock steps back before the event
// recorded last (a board without a real-time clock booting offline), also
// across a restart.
func TestClockUnsyncedMarked(t *testing.T) {
	clk := clocktest.NewFake(start)
	var synced atomic.Bool
	synced.Store(true)
	s, p := openTest(t, Options{Clock: clk, ClockSynced: synced.Load})
	rec := func() {
		t.Helper()
		if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
			t.Fatal(err)
		}
	}
	rec() // 1: fine
	synced.Store(false)
	rec() // 2: not synchronised
	synced.Store(true)
	clk.Advance(time.Hour)
	rec()                               // 3: fine
	clk.Set(start.Add(-24 * time.Hour)) // the clock steps back a day
	rec()                               // 4: before 3
	rec()                               // 5: after 4: the step is marked once
	s.Close()
	s = openAt(t, p, Options{Clock: clk, ClockSynced: synced.Load})
	clk.Set(start.Add(-48 * time.Hour)) // and back again, after a restart
	rec()                               // 6: before 5, the last stored
	ev, err := s.Pending(0, 10)
	if err != nil || len(ev) != 6 {
		t.Fatalf("%d events, %v", len(ev), err)
	}
	var got []bool
	for _, e := range ev {
		got = append(got, e.ClockUnsynced)
		b, _ := json.Marshal(e)
		if _, err := wire.DecodeEvent(b); err != nil {
			t.Fatal(err)
		}
	}
	if want := []bool{false, true, false, true, false, true}; !reflect.DeepEqual(got, want) {
		t.Errorf("clock_unsynced %v, want %v", got, want)
	}
}
