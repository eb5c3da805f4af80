package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func openDB(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func start(t *testing.T, b *brokertest.Broker, d *db.DB, id string) (*Ingest, func()) {
	t.Helper()
	in := New(Config{MQTT: uplink.Config{Broker: b.URL(), Username: b.Options().Username, Password: b.Options().Password}, ClientID: id}, d, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	waitFor(t, 10*time.Second, func() bool { return in.Stats().Connected }, "connected")
	time.Sleep(200 * time.Millisecond) // the subscription is made on connect
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	return in, stop
}

func waitFor(t testing.TB, timeout time.Duration, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

const (
	root = "wufang/v1"
	ep   = "00000000000000e1"
)

// TestBadPayloads sends every kind of payload the decoders refuse, from a
// rogue client, between good ones: each bad one is counted, nothing of it
// is stored, and ingest goes on.
func TestBadPayloads(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	d := openDB(t)
	in, stop := start(t, b, d, "hub-bad")
	defer stop()
	now := time.Now().UTC()
	good := wire.Event{V: 1, Epoch: ep, Seq: 1, Boot: 1, Time: now, Kind: wire.DoorEntry}
	tot := wire.Totals{V: 1, Epoch: ep, Site: "s1", Device: "d1", Seq: 1, Boot: 1, Date: now.Format(wire.DateLayout), TimeZone: "Europe/London", Time: now,
		Lifetime: wire.Counters{Entries: 1}, Today: wire.Counters{Entries: 1}}
	bad := []struct{ topic, payload string }{
		{root + "/s1/d1/event", `not json`},
		{root + "/s1/d1/event", `{"v":2,"epoch":"00000000000000e1","seq":2,"boot":1,"time":"2026-03-01T00:00:00Z","kind":"door.entry"}`},
		{root + "/s1/d1/event", `{"v":1,"epoch":"00000000000000e1","seq":2,"boot":1,"time":"2026-03-01T00:00:00Z","kind":"door.kick"}`},
		{root + "/s1/d1/event", `{"v":1,"epoch":"00000000000000e1","seq":2,"boot":1,"time":"2026-03-01T00:00:00Z","kind":"door.entry","extra":1}`},
		{root + "/s1/d1/event", `{"v":1,"epoch":"00000000000000e1","seq":-2,"boot":1,"time":"2026-03-01T00:00:00Z","kind":"door.entry"}`},
		{root + "/s1/d1/event", `{"v":1,"epoch":"00000000000000e1","seq":2,"boot":1,"time":"2026-03-01T00:00:00Z","kind":"feedback","rating":7}`},
		{root + "/s1/d1/event", `{"v":1,"epoch":"00000000000000e1","seq":2,"boot":1,"time":"2026-03-01T00:00:00Z","kind":"step.answer","step":"q1"}`},
		{root + "/s1/d1/event", `[]`},
		{root + "/s1/d1/event", ``},
		{root + "/s1/d1/totals", `{"v":1}`},
		{root + "/s1/d1/totals", string(mustJSON(func() wire.Totals { x := tot; x.Site = "other"; return x }()))},
		{root + "/s1/d1/status", `{"v":1,"online":"yes"}`},
		{root + "/s1/d1/daily/2026-03-01", `{"v":1,"date":"2026-03-02","counters":{},"seq":1}`},
		{root + "/s1/d1/daily/2026-03-01", `{"v":1,"date":"2026-03-01"}`},
		{root + "/S1/d1/status", `{}`},
		{root + "/s1/d1/daily/yesterday", `{}`},
	}
	for i, m := range bad {
		if err := brokertest.Publish(b, m.topic, []byte(m.payload), false); err != nil {
			t.Fatal(err)
		}
		if i == 5 {
			if err := brokertest.Publish(b, root+"/s1/d1/event", mustJSON(good), false); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := brokertest.Publish(b, root+"/s1/d1/totals", mustJSON(tot), true); err != nil {
		t.Fatal(err)
	}
	// Topics outside the contract never reach us: mosquitto matches
	// "+/+/daily/+" on the levels, so "daily/yesterday" does and is
	// refused by ParseTopic; "S1" matches "+" and is refused too.
	waitFor(t, 10*time.Second, func() bool {
		s := in.Stats()
		n := uint64(0)
		for _, v := range s.Bad {
			n += v
		}
		return n == uint64(len(bad)) && s.Stored == 1 && s.Received["totals"] >= 2
	}, "every bad payload counted and the good ones stored")
	waitFor(t, 5*time.Second, func() bool { ts, _ := d.Totals(context.Background(), "s1"); return len(ts) == 1 }, "totals stored")
	n, dup, err := d.EventStats(context.Background(), "")
	if err != nil || n != 1 || dup != 0 {
		t.Fatalf("%d events stored (%d duplicates), %v; want only the good one", n, dup, err)
	}
	if sites, _ := d.Sites(context.Background()); len(sites) != 1 || sites[0].Site != "s1" {
		t.Fatalf("sites %+v", sites)
	}
	t.Logf("bad: %v", in.Stats().Bad)
}

// TestRestartLosesNothing stops the hub while events are being published
// and starts it again with the same client id: the broker kept the session,
// every event arrives, none is stored twice.
func TestRestartLosesNothing(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Username: "hub", Password: "secret"})
	d := openDB(t)
	_, stop := start(t, b, d, "hub-restart")
	c := newPublisher(t, b)
	now := time.Now().UTC()
	publish := func(from, to uint64) {
		for s := from; s <= to; s++ {
			e := wire.Event{V: 1, Epoch: ep, Seq: s, Boot: 1, Time: now, Kind: wire.DoorEntry}
			if tok := c.Publish(root+"/s1/d1/event", 1, false, mustJSON(e)); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
				t.Fatalf("publish: %v", tok.Error())
			}
		}
	}
	publish(1, 300)
	stop()
	publish(301, 600) // queued by the broker for the stopped hub
	publish(1, 100)   // and a replay
	in, stop2 := start(t, b, d, "hub-restart")
	defer stop2()
	waitFor(t, 20*time.Second, func() bool {
		ss, _ := d.Streams(context.Background(), "s1")
		return len(ss) == 1 && ss[0].CompleteThrough == 600
	}, fmt.Sprintf("complete through 600 (%+v)", in.Stats()))
	n, _, _ := d.EventStats(context.Background(), "s1")
	if n != 600 {
		t.Fatalf("%d events stored, want 600", n)
	}
}

// TestReplays stores a day of two devices, then has the whole retained
// state and every event published again (and an older totals message
// arriving late): nothing the database answers changes.
func TestReplays(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	d := openDB(t)
	in, stop := start(t, b, d, "hub-replay")
	defer stop()
	c := newPublisher(t, b)
	pub := func(topic string, v any, retained bool) {
		t.Helper()
		if tok := c.Publish(topic, 1, retained, mustJSON(v)); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, loc)
	var events []struct {
		topic string
		e     wire.Event
	}
	for _, dev := range []string{"d1", "d2"} {
		var life wire.Counters
		for s := uint64(1); s <= 50; s++ {
			e := wire.Event{V: 1, Epoch: ep, Seq: s, Boot: 1, Time: day.Add(time.Duration(s) * 7 * time.Minute).UTC(), Kind: wire.DoorEntry}
			if s%3 == 0 {
				e.Kind = wire.DoorExit
			}
			life.Add(e)
			events = append(events, struct {
				topic string
				e     wire.Event
			}{root + "/s1/" + dev + "/event", e})
			pub(root+"/s1/"+dev+"/event", e, false)
		}
		tot := wire.Totals{V: 1, Epoch: ep, Site: "s1", Device: dev, Seq: 50, Boot: 1, Lifetime: life, Today: life,
			Date: "2026-03-01", TimeZone: "Asia/Shanghai", Time: day.Add(8 * time.Hour).UTC()}
		pub(root+"/s1/"+dev+"/totals", tot, true)
		pub(root+"/s1/"+dev+"/status", wire.Status{V: 1, Epoch: ep, Online: true, Time: tot.Time}, true)
		pub(root+"/s1/"+dev+"/daily/2026-02-28", wire.Daily{V: 1, Epoch: ep, Date: "2026-02-28", Counters: wire.Counters{Entries: 7}, Seq: 0}, true)
	}
	ctx := context.Background()
	settled := func(events int) {
		t.Helper()
		waitFor(t, 20*time.Second, func() bool {
			s := in.Stats()
			return s.Stored+s.Duplicates >= uint64(events) && s.Queued == 0
		}, "events stored")
		time.Sleep(300 * time.Millisecond)
	}
	settled(100)
	snapshot := func() string {
		hours, _ := d.Hours(ctx, "s1", "2026-03-01")
		days, _ := d.Days(ctx, "s1", "2026-02-27", "2026-03-02")
		tots, _ := d.Totals(ctx, "s1")
		for i := range tots {
			tots[i].Received = time.Time{}
		}
		streams, _ := d.Streams(ctx, "s1")
		for i := range streams {
			streams[i].LastHeard, streams[i].FirstHeard = time.Time{}, time.Time{}
		}
		n, dup, _ := d.EventStats(ctx, "s1")
		return fmt.Sprintf("%v\n%v\n%+v\n%+v\n%d %d", hours, days, tots, streams, n, dup)
	}
	before := snapshot()
	if !strings.Contains(before, "100 0") {
		t.Fatalf("before the replay: %s", before)
	}
	// Everything again: the retained state as the broker holds it, every
	// event, and a stale totals message of d1.
	retained := b.Retained(t, root+"/#", 300*time.Millisecond)
	for topic, payload := range retained {
		if tok := c.Publish(topic, 1, false, payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatal(tok.Error())
		}
	}
	for _, x := range events {
		pub(x.topic, x.e, false)
	}
	pub(root+"/s1/d1/totals", wire.Totals{V: 1, Epoch: ep, Site: "s1", Device: "d1", Seq: 25, Boot: 1, Lifetime: wire.Counters{Entries: 3},
		Date: "2026-03-01", TimeZone: "Asia/Shanghai", Time: day.UTC()}, false)
	settled(200)
	waitFor(t, 10*time.Second, func() bool { return in.Stats().Received["totals"] >= 5 }, "totals received")
	time.Sleep(300 * time.Millisecond)
	if after := snapshot(); after != before {
		t.Fatalf("the replay changed what is stored:\nbefore %s\nafter  %s", before, after)
	}
	if s := in.Stats(); s.Duplicates != 100 {
		t.Fatalf("%d duplicates, want 100: %+v", s.Duplicates, s)
	}
}
