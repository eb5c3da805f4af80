package uplink

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func testConfig(b *brokertest.Broker) Config {
	return Config{
		Broker:         b.URL(),
		Site:           "test-site",
		Device:         "dev-1",
		Backoff:        func(int) time.Duration { return 50 * time.Millisecond },
		TotalsInterval: 50 * time.Millisecond,
		ConnectTimeout: 2 * time.Second,
	}
}

func startUplink(t *testing.T, cfg Config, o Outbox) (*Uplink, func()) {
	t.Helper()
	u := New(cfg, o, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(func() {
		select {
		case <-ctx.Done():
		default:
			stop()
		}
	})
	return u, stop
}

func waitState(t *testing.T, u *Uplink, what string, ok func(State) bool) State {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s := u.State(); ok(s) {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("uplink never %s; state %+v", what, u.State())
	return State{}
}

// checkSeqs verifies that the event messages carry every seq from 1 to n,
// and that the stream never skips forward: each seq is the previous plus
// one, or a step back to where a new connection resumed.
func checkSeqs(t *testing.T, msgs []brokertest.Message, n uint64) {
	t.Helper()
	seen := make(map[uint64]bool, n)
	var prev uint64
	dups := 0
	for _, m := range msgs {
		e, err := wire.DecodeEvent(m.Payload)
		if err != nil {
			t.Fatalf("event payload %s: %v", m.Payload, err)
		}
		if e.Seq > prev+1 {
			t.Fatalf("seq jumped from %d to %d", prev, e.Seq)
		}
		if seen[e.Seq] {
			dups++
		}
		seen[e.Seq] = true
		prev = e.Seq
	}
	var missing []string
	for s := uint64(1); s <= n; s++ {
		if !seen[s] {
			from := s
			for s+1 <= n && !seen[s+1] {
				s++
			}
			missing = append(missing, fmt.Sprintf("%d-%d", from, s))
		}
	}
	if len(missing) > 0 {
		t.Fatalf("seqs never arrived: %v", missing)
	}
	t.Logf("%d events, %d messages, %d duplicates", n, len(msgs), dups)
}

// allSeqs returns a WaitFor condition that is true once seqs 1..n have all
// arrived; it reads each message once.
func allSeqs(n int) (func([]brokertest.Message) bool, func() int) {
	seen := map[uint64]bool{}
	done := 0
	cond := func(msgs []brokertest.Message) bool {
		for _, m := range msgs[done:] {
			var e struct{ Seq uint64 }
			_ = json.Unmarshal(m.Payload, &e)
			if e.Seq >= 1 && e.Seq <= uint64(n) {
				seen[e.Seq] = true
			}
		}
		done = len(msgs)
		return len(seen) == n
	}
	return cond, func() int { return len(seen) }
}

func retainedTotals(t *testing.T, b *brokertest.Broker, topics wire.Topics) wire.Totals {
	t.Helper()
	got := b.Retained(t, topics.Totals(), 100*time.Millisecond)
	p, ok := got[topics.Totals()]
	if !ok {
		t.Fatalf("no retained totals on %s", topics.Totals())
	}
	tot, err := wire.DecodeTotals(p)
	if err != nil {
		t.Fatalf("totals %s: %v", p, err)
	}
	return tot
}

func event(i int) wire.Event {
	kinds := []wire.Kind{wire.DoorEntry, wire.DoorExit, wire.SessionStart, wire.SensorFault}
	e := wire.Event{Kind: kinds[i%len(kinds)], Time: time.Now().UTC()}
	switch e.Kind {
	case wire.DoorEntry, wire.DoorExit:
		e.Sensor = "door"
	case wire.SessionStart:
		e.Lang = "zh-CN"
	case wire.SensorFault:
		e.Sensor, e.Reason = "presence", "stuck"
	}
	return e
}

// runOutages records n events through record(k) around three broker
// outages: a slice while connected, a slice while the broker is down, and
// a background stream of small batches that runs across every stop and
// start.
func runOutages(t *testing.T, b *brokertest.Broker, u *Uplink, n int, record func(k int)) {
	t.Helper()
	slice := n / 10
	background := 4 * slice
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := 0; k < background; k += 10 {
			record(10)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	for range 3 {
		record(slice)
		b.Stop()
		waitState(t, u, "disconnected", func(s State) bool { return !s.Connected && strings.Contains(s.LastError, "connection refused") })
		record(slice)
		b.Start()
		waitState(t, u, "reconnected", func(s State) bool { return s.Connected })
	}
	<-done
	record(n - 6*slice - background)
}

func TestOutage(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	topics, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	sub := b.Subscribe(t, topics.Event())
	o := newMemOutbox()
	u, stop := startUplink(t, cfg, o)
	waitState(t, u, "connected", func(s State) bool { return s.Connected })

	const n = 10000
	var mu sync.Mutex
	i := 0
	runOutages(t, b, u, n, func(k int) {
		mu.Lock()
		defer mu.Unlock()
		for range k {
			o.Record(event(i))
			i++
		}
	})
	cond, count := allSeqs(n)
	if !sub.WaitFor(30*time.Second, cond) {
		t.Fatalf("only %d of %d events arrived; watermark %d, state %+v", count(), n, o.Watermark(), u.State())
	}
	checkSeqs(t, sub.Messages(), n)
	waitState(t, u, "drained", func(State) bool { return o.Watermark() == n })
	time.Sleep(200 * time.Millisecond) // the last totals go out within TotalsInterval
	tot := retainedTotals(t, b, topics)
	if want := o.Totals(); !tot.Lifetime.Equal(want.Lifetime) || tot.Seq != n {
		t.Fatalf("retained totals %+v, want %+v", tot.Lifetime, want.Lifetime)
	}
	stop()
	st := b.Retained(t, topics.Status(), 100*time.Millisecond)[topics.Status()]
	if s, err := wire.DecodeStatus(st); err != nil || s.Online {
		t.Fatalf("status after a clean stop: %s (%v), want online:false", st, err)
	}
}

func TestStatusOnlineAndWill(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	cfg.Keepalive = 1 * time.Second
	cfg.Describe = func(s *wire.Status) { s.App, s.Boot, s.Backlog = "9.9.9", 7, 3 }
	topics, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	sub := b.Subscribe(t, topics.Status())
	u, _ := startUplink(t, cfg, newMemOutbox())
	waitState(t, u, "connected", func(s State) bool { return s.Connected })
	if !sub.WaitFor(5*time.Second, func(m []brokertest.Message) bool {
		for _, msg := range m {
			if s, err := wire.DecodeStatus(msg.Payload); err == nil && s.Online && s.App == "9.9.9" && s.Boot == 7 {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no online status: %v", sub.Messages())
	}
}

func TestDailyPublishedOnce(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	cfg.DailyMarkFile = filepath.Join(t.TempDir(), "daily")
	topics, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	o := newMemOutbox()
	o.days = []wire.Daily{{V: 1, Date: "2026-11-24", Seq: 3}, {V: 1, Date: "2026-11-25", Seq: 9}}
	sub := b.Subscribe(t, topics.Root+"/+/+/daily/#")
	u, stop := startUplink(t, cfg, o)
	waitState(t, u, "connected", func(s State) bool { return s.Connected })
	if !sub.WaitFor(5*time.Second, func(m []brokertest.Message) bool { return len(m) == 2 }) {
		t.Fatalf("dailies: %v", sub.Messages())
	}
	waitState(t, u, "remembered the dailies", func(State) bool {
		b, _ := os.ReadFile(cfg.DailyMarkFile)
		return strings.Contains(string(b), `"2026-11-25":9`)
	})
	stop()
	// A restart publishes only days closed since.
	o.mu.Lock()
	o.days = append(o.days, wire.Daily{V: 1, Date: "2026-11-26", Seq: 12})
	o.mu.Unlock()
	u2, _ := startUplink(t, cfg, o)
	waitState(t, u2, "connected", func(s State) bool { return s.Connected })
	if !sub.WaitFor(5*time.Second, func(m []brokertest.Message) bool { return len(m) >= 3 }) {
		t.Fatalf("dailies: %v", sub.Messages())
	}
	time.Sleep(200 * time.Millisecond)
	if m := sub.Messages(); len(m) != 3 || m[2].Topic != topics.Daily("2026-11-26") {
		t.Fatalf("after restart: %d messages, last %v", len(m), m[len(m)-1].Topic)
	}
	retained := b.Retained(t, topics.Root+"/+/+/daily/#", 100*time.Millisecond)
	if len(retained) != 3 {
		t.Fatalf("retained dailies: %d", len(retained))
	}
}

func TestBackoff(t *testing.T) {
	f := Backoff(time.Second, 60*time.Second)
	for n := 1; n <= 12; n++ {
		d := f(n)
		lo := min(time.Second<<(n-1), 60*time.Second)
		if d < lo || d > 60*time.Second || d > lo*3/2 {
			t.Fatalf("attempt %d: %v, want between %v and min(1.5×, 60s)", n, d, lo)
		}
	}
}

func TestOffWithoutBroker(t *testing.T) {
	u := New(Config{Site: "s", Device: "d"}, newMemOutbox(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := u.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if s := u.State(); s.Enabled || s.Connected {
		t.Fatalf("state %+v", s)
	}
}

// TestNewDayWithoutEvents: after midnight, with no new event, the closed
// day is published and the retained totals move to the new date.
func TestNewDayWithoutEvents(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	cfg.DayCheck = 50 * time.Millisecond
	topics, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	sub := b.Subscribe(t, topics.Root+"/#")
	o := newMemOutbox()
	o.Record(event(0))
	u, _ := startUplink(t, cfg, o)
	waitState(t, u, "drained", func(State) bool { return o.Watermark() == 1 })
	o.mu.Lock()
	o.date = "2026-11-27"
	o.days = []wire.Daily{{V: 1, Date: "2026-11-26", Seq: 1, Counters: o.life.Clone()}}
	o.mu.Unlock()
	if !sub.WaitFor(5*time.Second, func(m []brokertest.Message) bool {
		daily, totals := false, false
		for _, msg := range m {
			daily = daily || msg.Topic == topics.Daily("2026-11-26")
			if msg.Topic == topics.Totals() {
				tot, err := wire.DecodeTotals(msg.Payload)
				totals = totals || err == nil && tot.Date == "2026-11-27"
			}
		}
		return daily && totals
	}) {
		t.Fatal("no daily/2026-11-26 or no totals dated 2026-11-27 after midnight")
	}
}

// TestClientIDsDoNotCollide: site a-b/device c and site a/device b-c used to
// share the client id a-b-c and kick each other off the broker (21
// connects in 25 s); with a separator ids cannot contain both stay on.
func TestClientIDsDoNotCollide(t *testing.T) {
	if ClientID("a-b", "c") == ClientID("a", "b-c") {
		t.Fatalf("client ids collide: %s", ClientID("a", "b-c"))
	}
	b := brokertest.Start(t, brokertest.Options{})
	var ups []*Uplink
	for _, id := range [][2]string{{"a-b", "c"}, {"a", "b-c"}} {
		cfg := testConfig(b)
		cfg.Site, cfg.Device = id[0], id[1]
		u, _ := startUplink(t, cfg, newMemOutbox())
		waitState(t, u, "connected", func(s State) bool { return s.Connected })
		ups = append(ups, u)
	}
	first := []State{ups[0].State(), ups[1].State()}
	// A kicked client reconnects within the 50 ms backoff of testConfig, so
	// a second shows the churn many times over.
	time.Sleep(time.Second)
	for i, u := range ups {
		s := u.State()
		if !s.Connected || !s.Since.Equal(first[i].Since) || s.LastError != "" {
			t.Errorf("uplink %d: state went from %+v to %+v: kicked off", i, first[i], s)
		}
	}
}

func TestBrokerURLWithPasswordRefused(t *testing.T) {
	cfg := Config{Broker: "tcp://alice:S3cret@127.0.0.1:1", Site: "s", Device: "d"}
	u := New(cfg, newMemOutbox(), nil)
	err := u.Run(context.Background())
	if err == nil || strings.Contains(err.Error(), "S3cret") {
		t.Fatalf("Run = %v, want a refusal that does not show the password", err)
	}
	if s := u.State(); strings.Contains(s.Broker, "S3cret") {
		t.Errorf("state shows the password: %+v", s)
	}
	err = Watch(context.Background(), cfg, func(Site) {})
	if err == nil || strings.Contains(err.Error(), "S3cret") {
		t.Fatalf("Watch = %v", err)
	}
}
