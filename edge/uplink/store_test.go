package uplink

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/edge/wire/wiretest"
	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
)

func openStore(t *testing.T, clk clock.Clock) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "events.db"), store.Options{Site: "test-site", Device: "dev-1", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recordN records n events from 16 goroutines (so the store groups
// commits) and returns when all are durable.
func recordN(t testing.TB, s *store.Store, n int) {
	t.Helper()
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := s.Record(context.Background(), event(i)); err != nil {
					t.Errorf("record: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestOutageWithStore(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	topics, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	sub := b.Subscribe(t, topics.Event())
	s := openStore(t, nil)
	u, _ := startUplink(t, cfg, s)
	waitState(t, u, "connected", func(s State) bool { return s.Connected })

	const total = 10000
	runOutages(t, b, u, total, func(k int) { recordN(t, s, k) })
	cond, count := allSeqs(total)
	if !sub.WaitFor(60*time.Second, cond) {
		t.Fatalf("only %d of %d events arrived; watermark %d, state %+v", count(), total, s.Watermark(), u.State())
	}
	checkSeqs(t, sub.Messages(), uint64(total))
	waitState(t, u, "drained", func(State) bool { return s.Watermark() == uint64(total) })
	time.Sleep(200 * time.Millisecond)
	tot := retainedTotals(t, b, topics)
	if want := s.Totals(); !tot.Lifetime.Equal(want.Lifetime) || tot.Seq != uint64(total) {
		t.Fatalf("retained totals seq %d %+v, want seq %d %+v", tot.Seq, tot.Lifetime, total, want.Lifetime)
	}
}

func TestTLSAndAuth(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{TLS: true, Username: "door-1", Password: "right horse"})
	other, err := brokertest.NewCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	topics, _ := wire.NewTopics(wire.DefaultRoot, "test-site", "dev-1")
	sub := b.Subscribe(t, topics.Event())
	s := openStore(t, nil)
	good := testConfig(b)
	good.Username, good.Password, good.CAFile = "door-1", "right horse", b.CA.CAFile

	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"wrong CA", func(c *Config) { c.CAFile = other.CAFile }, "the broker's certificate is not signed by mqtt.ca_file (" + other.CAFile + ")"},
		{"no CA", func(c *Config) { c.CAFile = "" }, "not signed by a CA this system trusts"},
		{"wrong password", func(c *Config) { c.Password = "Tr0ub4dor&3" }, "wrong username or password"},
		{"plain to TLS port", func(c *Config) { c.Broker = strings.Replace(c.Broker, "ssl://", "tcp://", 1) }, "closed the connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			u, stop := startUplink(t, cfg, s)
			recordN(t, s, 10)
			st := waitState(t, u, "reported the error twice", func(s State) bool { return s.Attempts >= 2 })
			if !strings.Contains(st.LastError, tc.want) {
				t.Errorf("last error %q, want it to say %q", st.LastError, tc.want)
			}
			if strings.Contains(st.LastError, "right horse") || strings.Contains(st.LastError, "Tr0ub4dor") {
				t.Errorf("the error shows the password: %q", st.LastError)
			}
			stop()
		})
	}
	if s.Watermark() != 0 {
		t.Fatalf("watermark %d before any connection", s.Watermark())
	}
	u, _ := startUplink(t, good, s)
	cond, count := allSeqs(40)
	if !sub.WaitFor(10*time.Second, cond) {
		t.Fatalf("after fixing the config only %d of 40 events arrived; state %+v", count(), u.State())
	}
	waitState(t, u, "drained", func(State) bool { return s.Watermark() == 40 })
}

func TestMutualTLS(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{RequireClientCert: true})
	s := openStore(t, nil)
	cfg := testConfig(b)
	cfg.CAFile = b.CA.CAFile
	u, stop := startUplink(t, cfg, s)
	st := waitState(t, u, "failed", func(s State) bool { return s.Attempts >= 1 })
	if !strings.Contains(st.LastError, "client certificate") || !strings.Contains(st.LastError, "set mqtt.cert_file and mqtt.key_file") {
		t.Errorf("without a client certificate: %q", st.LastError)
	}
	stop()
	cfg.CertFile, cfg.KeyFile = b.CA.ClientCertFile, b.CA.ClientKeyFile
	u, _ = startUplink(t, cfg, s)
	waitState(t, u, "connected with a client certificate", func(s State) bool { return s.Connected })
}

// TestPayloadsMatchSchemas validates every payload the uplink really
// publishes (status, event of each kind, totals, daily, last will) against
// edge/wire's JSON Schemas.
func TestPayloadsMatchSchemas(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	cfg.Keepalive = time.Second
	cfg.Describe = func(s *wire.Status) {
		s.App, s.Pack, s.PackVersion = "0.1.0-dev", "wufang-builtin", "1.0.0"
		s.Sensors = map[string]string{"door": "ok", "presence": "fault: stuck high"}
	}
	topics, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	sub := b.Subscribe(t, topics.Root+"/#")
	loc, _ := time.LoadLocation("Asia/Shanghai")
	clk := clocktest.NewFake(time.Date(2026, 11, 25, 15, 0, 0, 0, loc))
	s := openStore(t, clk)
	yes, no := true, false
	events := []wire.Event{
		{Kind: wire.DoorEntry, Sensor: "door"}, {Kind: wire.DoorExit, Sensor: "door", AfterHours: true},
		{Kind: wire.PresenceStart, Sensor: "presence"}, {Kind: wire.PresenceEnd, Sensor: "presence"},
		{Kind: wire.SessionStart, Lang: "zh-CN"}, {Kind: wire.ModuleStart, Module: "fire"},
		{Kind: wire.StepAnswer, Module: "fire", Step: "fire-q1", Correct: &yes},
		{Kind: wire.StepAnswer, Module: "fire", Step: "fire-q2", Correct: &no},
		{Kind: wire.ModuleComplete, Module: "fire", Score: 1, Total: 2, Passed: &no},
		{Kind: wire.SessionEnd, Reason: wire.ReasonIdle, Lang: "en"}, {Kind: wire.Feedback, Rating: 3},
		{Kind: wire.SensorFault, Sensor: "presence", Reason: "stuck high for 60s"}, {Kind: wire.SensorOK, Sensor: "presence"},
		{Kind: wire.PackInstalled, Pack: "wufang-builtin", PackVer: "1.0.0"},
		{Kind: wire.PackRejected, Pack: "bad-pack", Reason: "bad signature"},
	}
	for _, e := range events {
		if err := s.Record(context.Background(), e); err != nil {
			t.Fatalf("record %s: %v", e.Kind, err)
		}
	}
	clk.Set(time.Date(2026, 11, 26, 9, 0, 0, 0, loc)) // the 25th has closed
	u, stop := startUplink(t, cfg, s)
	waitState(t, u, "drained", func(State) bool { return s.Watermark() == uint64(len(events)) })
	time.Sleep(300 * time.Millisecond)
	stop() // the clean stop's offline status
	seen := map[string]int{}
	if !sub.WaitFor(5*time.Second, func(m []brokertest.Message) bool {
		n := 0
		for _, msg := range m {
			if msg.Topic == topics.Status() && strings.Contains(string(msg.Payload), `"online":false`) {
				n++
			}
		}
		return n > 0
	}) {
		t.Fatal("no offline status after stop")
	}
	for _, m := range sub.Messages() {
		_, _, rest, ok := wire.ParseTopic(topics.Root, m.Topic)
		if !ok {
			t.Errorf("unexpected topic %s", m.Topic)
			continue
		}
		name := rest
		if strings.HasPrefix(rest, "daily/") {
			name = wire.SchemaDaily
		}
		if err := wiretest.Validate(name, m.Payload); err != nil {
			t.Errorf("%s payload %s: %v", m.Topic, m.Payload, err)
		}
		seen[name]++
	}
	for _, name := range wire.SchemaNames {
		if name == wire.SchemaOffer {
			continue // a device receives offers, it never publishes one
		}
		if seen[name] == 0 {
			t.Errorf("no %s payload published", name)
		}
	}
	if seen[wire.SchemaEvent] != len(events) {
		t.Errorf("%d events published, want %d", seen[wire.SchemaEvent], len(events))
	}

	// The last will: a connection that dies without a DISCONNECT.
	will := newMemOutbox()
	willCfg := testConfig(b)
	willCfg.Device = "dev-2"
	willCfg.Describe = cfg.Describe
	wtopics, _ := wire.NewTopics(wire.DefaultRoot, willCfg.Site, willCfg.Device)
	wu, _ := startUplink(t, willCfg, will)
	waitState(t, wu, "connected", func(s State) bool { return s.Connected })
	b.Stop() // the uplink's session dies with the broker…
	b.Start()
	// …and a fresh client replaces it, so nothing offline is left retained:
	// check the will payload directly instead.
	p := wu.status(wtopics, false)
	if err := wiretest.Validate(wire.SchemaStatus, p); err != nil {
		t.Errorf("last will %s: %v", p, err)
	}
}

// TestDailyFollowsClockJumps: the daily channel never corrected itself and
// trusted the clock blindly. With a clock one day ahead a day went out with
// 38 entries and stayed so when the store ended with 76; days stamped while
// the clock was behind were never published; a clock 10 years ahead across
// midnight stopped every later daily. Now every closed day whose counters
// changed since it went out is published again, whatever the clock did.
func TestDailyFollowsClockJumps(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	cfg.DayCheck = 20 * time.Millisecond
	cfg.DailyMarkFile = filepath.Join(t.TempDir(), "daily")
	topics, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no tzdata")
	}
	day := func(d int, hm string) time.Time { // 2026-03-0d at hh:mm in Shanghai
		tm, _ := time.ParseInLocation("2006-01-02 15:04", fmt.Sprintf("2026-03-%02d %s", d, hm), sh)
		return tm
	}
	clk := clocktest.NewFake(day(5, "10:00")) // a day ahead: really the 4th
	cfg.Clock = clk
	s := openStore(t, clk)
	u, _ := startUplink(t, cfg, s)
	waitState(t, u, "connected", func(s State) bool { return s.Connected })
	entries := func(n int) {
		t.Helper()
		for range n {
			if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry, Sensor: "door"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// waitDaily waits for a daily/date that counts want entries.
	sub := b.Subscribe(t, topics.Root+"/+/+/daily/#")
	waitDaily := func(date string, want uint64) {
		t.Helper()
		var got []uint64
		ok := sub.WaitFor(10*time.Second, func(msgs []brokertest.Message) bool {
			got = got[:0]
			for _, m := range msgs {
				if m.Topic == topics.Daily(date) {
					d, err := wire.DecodeDaily(m.Payload)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, d.Counters.Entries)
				}
			}
			return len(got) > 0 && got[len(got)-1] == want
		})
		if !ok {
			t.Fatalf("daily/%s went out counting %v entries, want %d last (totals %+v)", date, got, want, s.Totals())
		}
	}

	// One day ahead: 38 entries land in the 5th, which closes at the
	// wrong clock's midnight and goes out with 38.
	entries(38)
	clk.Set(day(6, "00:01"))
	waitDaily("2026-03-05", 38)
	// The clock is corrected (a jump back of a day): 38 more on the real
	// 5th; when it closes again, the day goes out again with 76.
	clk.Set(day(5, "10:00"))
	entries(38)
	clk.Set(day(6, "00:01"))
	waitDaily("2026-03-05", 76)

	// A clock a day behind (a Pi without RTC booted offline): 5 entries
	// stamped on the 5th, already closed; published once the day shows
	// changed.
	clk.Set(day(5, "18:00"))
	entries(5)
	clk.Set(day(6, "09:00"))
	waitDaily("2026-03-05", 81)

	// Ten years ahead across midnight, then back: later dailies go on.
	clk.Set(day(6, "23:59").AddDate(10, 0, 0))
	entries(1)
	clk.Set(day(7, "00:01").AddDate(10, 0, 0))
	waitDaily("2036-03-06", 1)
	clk.Set(day(6, "12:00"))
	entries(7)
	clk.Set(day(7, "00:01"))
	waitDaily("2026-03-06", 7)
	clk.Set(day(8, "00:01"))
	entries(2) // on the 8th
	clk.Set(day(9, "00:01"))
	waitDaily("2026-03-08", 2)
}
