// Package uplink publishes a device's visit events and counters to the
// central MQTT broker (paho.mqtt.golang), store-and-forward.
//
// The outbox (edge/store) is the only source of truth: the uplink connects
// with a clean session, never uses paho's own message store, and on every
// connection resumes from the store's acknowledged watermark. Events go out
// in order at QoS 1 with a window of messages in flight; each PUBACK is
// handed back to the store, which moves the watermark over contiguous
// acknowledgements. A crash or a lost connection can therefore only make the
// uplink send some events twice, never skip one; consumers drop replays by
// (site, device, epoch, seq).
//
// Besides events the uplink keeps three retained topics up to date: status
// (online on connect; the last will says offline), totals (after new events,
// at most about once a second) and daily/{date} once a day has closed.
//
// It reconnects by itself with exponential backoff and jitter (1 s to 60 s)
// and reports its state (connected, since when, the last error in plain
// words) through State.
package uplink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/atomicfile"
	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Outbox is what the uplink needs from the event store.
type Outbox interface {
	// Pending returns up to max events with seq > after, in seq order.
	Pending(after uint64, max int) ([]wire.Event, error)
	// Ack records that the broker acknowledged seq.
	Ack(seq uint64) error
	// Watermark is the highest seq below which everything is acknowledged.
	Watermark() uint64
	// Totals is the current totals document.
	Totals() wire.Totals
	// ClosedDaysAfter returns the closed days after date (yyyy-mm-dd, or ""
	// for all), oldest first.
	ClosedDaysAfter(date string) ([]wire.Daily, error)
	// Changed signals that events were recorded.
	Changed() <-chan struct{}
}

// Config configures the uplink. Zero fields get safe defaults.
type Config struct {
	// Broker is tcp://, mqtt://, ssl://, tls:// or mqtts:// host:port. Empty
	// turns the uplink off.
	Broker    string
	TopicRoot string // default wire.DefaultRoot
	Site      string
	Device    string
	Username  string
	// Password is the password itself (read from mqtt.password_file by the
	// caller). It is never logged.
	Password string
	CAFile   string // PEM CA bundle that signs the broker's certificate
	CertFile string // client certificate for mutual TLS
	KeyFile  string
	// Keepalive is the MQTT keepalive (default 30 s).
	Keepalive time.Duration
	// Window is the number of events in flight (default 100).
	Window int
	// TotalsInterval is the least time between two totals publications
	// (default 1 s).
	TotalsInterval time.Duration
	// DayCheck is how often the uplink looks for a new day without new
	// events, to publish the closed day and reset today's totals (default
	// 1 min).
	DayCheck time.Duration
	// Backoff returns how long to wait before connection attempt n (n ≥ 1
	// counts failed attempts in a row). Default: exponential from 1 s to
	// 60 s with jitter.
	Backoff func(n int) time.Duration
	// ConnectTimeout bounds the TCP, TLS and MQTT handshakes (default 10 s).
	ConnectTimeout time.Duration
	// Describe fills the status payload with what the uplink does not know:
	// app version, pack, boot, backlog, dropped, sensor health.
	Describe func(*wire.Status)
	// DailyMarkFile remembers the daily/{date} published and with which
	// counters, so a closed day goes out once, and again when it changes. Empty: kept in memory (all closed days are
	// published again, retained and identical, after a restart).
	DailyMarkFile string
	// Clock stamps the status and the totals (nil: the wall clock).
	Clock clock.Clock
	// Dial connects to the broker (nil: DialPaho). Tests swap in a fake.
	Dial Dial
}

// State is what the uplink reports for status pages.
type State struct {
	Enabled   bool      `json:"enabled"`
	Broker    string    `json:"broker,omitempty"`
	Connected bool      `json:"connected"`
	Since     time.Time `json:"since,omitzero"` // connected or disconnected since
	LastError string    `json:"last_error,omitempty"`
	ErrorAt   time.Time `json:"last_error_at,omitzero"`
	// Attempts counts failed connection attempts in a row.
	Attempts  int       `json:"attempts,omitempty"`
	NextRetry time.Time `json:"next_retry,omitzero"`
	// Sent counts events acknowledged by the broker since start.
	Sent uint64 `json:"sent"`
}

// Uplink publishes an outbox to a broker. Build it with New and call Run.
type Uplink struct {
	cfg    Config
	outbox Outbox
	log    *slog.Logger

	mu    sync.Mutex
	state State
	daily map[string]uint64 // daily/{date} published: date -> the Seq of the payload sent
}

// New returns an uplink for cfg reading from outbox. A nil log discards.
func New(cfg Config, outbox Outbox, log *slog.Logger) *Uplink {
	if cfg.TopicRoot == "" {
		cfg.TopicRoot = wire.DefaultRoot
	}
	if cfg.Keepalive <= 0 {
		cfg.Keepalive = 30 * time.Second
	}
	if cfg.Window <= 0 {
		cfg.Window = 100
	}
	if cfg.TotalsInterval <= 0 {
		cfg.TotalsInterval = time.Second
	}
	if cfg.DayCheck <= 0 {
		cfg.DayCheck = time.Minute
	}
	if cfg.Backoff == nil {
		cfg.Backoff = Backoff(time.Second, 60*time.Second)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	cfg.Clock = clock.Or(cfg.Clock)
	if cfg.Dial == nil {
		cfg.Dial = DialPaho
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := &Uplink{cfg: cfg, outbox: outbox, log: log}
	u.state = State{Enabled: cfg.Broker != "", Broker: redactURL(cfg.Broker), Since: cfg.Clock.Now()}
	u.daily = map[string]uint64{}
	if cfg.DailyMarkFile != "" {
		if b, err := os.ReadFile(cfg.DailyMarkFile); err == nil {
			// An older mark file held just the last date: then every closed
			// day goes out once more (retained, the same or corrected).
			var m dailyMark
			if json.Unmarshal(b, &m) == nil && m.Days != nil {
				u.daily = m.Days
			}
		}
	}
	return u
}

// Backoff returns exponential backoff from min doubling up to max, each
// delay with up to 50 % random jitter added (still capped at max), so that
// a room full of devices does not reconnect in step.
func Backoff(min, max time.Duration) func(n int) time.Duration {
	return func(n int) time.Duration {
		d := min
		for i := 1; i < n && d < max; i++ {
			d *= 2
		}
		d += time.Duration(rand.Int64N(int64(d)/2 + 1))
		return clamp(d, min, max)
	}
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}

// State returns the uplink's current state.
func (u *Uplink) State() State {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.state
}

func (u *Uplink) setState(f func(*State)) {
	u.mu.Lock()
	f(&u.state)
	u.mu.Unlock()
}

// Run connects and publishes until ctx is done. It returns nil then, or an
// error at once when the configuration cannot work (bad topic parts). With
// no broker configured it just waits for ctx.
func (u *Uplink) Run(ctx context.Context) error {
	if u.cfg.Broker == "" {
		<-ctx.Done()
		return nil
	}
	topics, err := wire.NewTopics(u.cfg.TopicRoot, u.cfg.Site, u.cfg.Device)
	if err != nil {
		return fmt.Errorf("uplink: %w", err)
	}
	if err := checkBroker(u.cfg.Broker); err != nil {
		return err
	}
	failures := 0
	for {
		connected, err := u.session(ctx, topics)
		if ctx.Err() != nil {
			u.setState(func(s *State) {
				if s.Connected {
					s.Connected, s.Since = false, u.cfg.Clock.Now()
				}
			})
			return nil
		}
		if connected {
			failures = 0
		}
		failures++
		wait := u.cfg.Backoff(failures)
		msg := describe(err, u.cfg)
		u.setState(func(s *State) {
			if s.Connected {
				s.Since = u.cfg.Clock.Now()
			}
			s.Connected = false
			s.LastError, s.ErrorAt = msg, u.cfg.Clock.Now()
			s.Attempts = failures
			s.NextRetry = u.cfg.Clock.Now().Add(wait)
		})
		if connected || failures == 1 || failures%10 == 0 {
			u.log.Warn("mqtt uplink down", "broker", u.cfg.Broker, "error", msg, "retry_in", wait.Round(time.Millisecond), "attempts", failures)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// ClientID is the device's MQTT client id: site and device joined by a
// colon, which ids cannot contain (they may contain '-', so joining with
// '-' made site a-b/device c and site a/device b-c one client, each
// kicking the other off the broker).
func ClientID(site, device string) string { return site + ":" + device }

// checkBroker refuses a broker URL that does not parse or that holds a
// user name or password: paho would use them, and the URL is logged and
// shown on status pages. The credentials go in Username and Password.
func checkBroker(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("uplink: broker: %w", err)
	}
	if u.User != nil {
		return errors.New("uplink: the broker address must not hold a user name or password; set mqtt.username and mqtt.password_file instead")
	}
	return nil
}

// redactURL drops user info from a broker URL for the state shown on status
// pages (Run refuses such a URL, but says so there).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

func (u *Uplink) tlsConfig() (*tls.Config, error) {
	if !isTLS(u.cfg.Broker) {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if u.cfg.CAFile != "" {
		pem, err := os.ReadFile(u.cfg.CAFile)
		if err != nil {
			return nil, &configError{fmt.Sprintf("cannot read mqtt.ca_file: %v", err)}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &configError{fmt.Sprintf("mqtt.ca_file %s holds no PEM certificate", u.cfg.CAFile)}
		}
		cfg.RootCAs = pool
	}
	if u.cfg.CertFile != "" || u.cfg.KeyFile != "" {
		c, err := tls.LoadX509KeyPair(u.cfg.CertFile, u.cfg.KeyFile)
		if err != nil {
			return nil, &configError{fmt.Sprintf("cannot load mqtt.cert_file and mqtt.key_file: %v", err)}
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	return cfg, nil
}

// configError is a problem with the files the config names; its message is
// already in plain words.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func (u *Uplink) status(topics wire.Topics, online bool) []byte {
	st := wire.Status{V: wire.Version, Online: online, Time: u.cfg.Clock.Now().UTC()}
	if u.cfg.Describe != nil {
		u.cfg.Describe(&st)
	}
	st.V, st.Online = wire.Version, online
	if st.Epoch == "" {
		st.Epoch = u.outbox.Totals().Epoch
	}
	if online {
		s := u.State()
		if s.Connected {
			since := s.Since.UTC()
			st.ConnectedSince = &since
		}
	}
	b, _ := json.Marshal(st)
	return b
}

var errLost = errors.New("connection lost")

// session makes one connection and publishes until it is lost or ctx is
// done. connected reports whether the MQTT handshake succeeded.
func (u *Uplink) session(ctx context.Context, topics wire.Topics) (connected bool, err error) {
	tlsCfg, err := u.tlsConfig()
	if err != nil {
		return false, err
	}
	conn, err := u.cfg.Dial(ctx, DialOptions{
		Broker:         u.cfg.Broker,
		ClientID:       ClientID(u.cfg.Site, u.cfg.Device),
		Username:       u.cfg.Username,
		Password:       u.cfg.Password,
		TLS:            tlsCfg,
		Keepalive:      u.cfg.Keepalive,
		ConnectTimeout: u.cfg.ConnectTimeout,
		Will:           Message{Topic: topics.Status(), Payload: u.status(topics, false), Retained: true},
	})
	if err != nil {
		return false, err
	}
	now := u.cfg.Clock.Now()
	u.setState(func(s *State) {
		s.Connected, s.Since = true, now
		s.LastError, s.Attempts, s.NextRetry = "", 0, time.Time{}
	})
	u.log.Info("mqtt uplink connected", "broker", u.cfg.Broker, "client_id", ClientID(u.cfg.Site, u.cfg.Device))

	// The publisher runs in its own goroutine so that a lost connection is
	// noticed at once: paho's Publish can block for its timeout when the
	// connection drops under it. A publisher stuck there ends by itself
	// with an error; it can only ack what the broker really acknowledged.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &publisher{u: u, conn: conn, topics: topics}
	done := make(chan error, 1)
	go func() { done <- p.run(pctx) }()
	select {
	case err = <-done:
	case lerr := <-conn.Lost():
		err = fmt.Errorf("%w: %w", errLost, lerr)
	case <-ctx.Done():
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
	cancel()
	if ctx.Err() != nil {
		// A clean stop: say offline ourselves, the will only fires on an
		// unclean one.
		t := conn.Publish(topics.Status(), true, u.status(topics, false))
		select {
		case <-t.Done():
		case <-time.After(time.Second):
		}
		conn.Close(250 * time.Millisecond)
		return true, ctx.Err()
	}
	conn.Close(0)
	return true, err
}

type inflight struct {
	seq uint64
	tok Token
}

type publisher struct {
	u      *Uplink
	conn   Conn
	topics wire.Topics

	next        uint64       // highest seq handed to paho
	ahead       []wire.Event // read from the outbox, not yet handed to paho
	queue       []inflight
	totalsDirty bool
	lastTotals  time.Time
	lastDate    string // the Date of the last totals published
	lastStatus  time.Time
}

func (p *publisher) publish(topic string, retained bool, payload []byte) Token {
	return p.conn.Publish(topic, retained, payload)
}

func (p *publisher) run(ctx context.Context) error {
	u := p.u
	p.publish(p.topics.Status(), true, u.status(p.topics, true))
	p.lastStatus = u.cfg.Clock.Now()
	p.next = u.outbox.Watermark()
	p.totalsDirty = true
	if err := p.publishDailies(ctx); err != nil {
		return err
	}
	var timer *time.Timer
	var timerC <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	day := time.NewTicker(u.cfg.DayCheck)
	defer day.Stop()
	for {
		changed := u.outbox.Changed()
		if err := p.fill(); err != nil {
			return err
		}
		if p.totalsDirty && timerC == nil {
			wait := p.lastTotals.Add(u.cfg.TotalsInterval).Sub(u.cfg.Clock.Now())
			// wait beyond the interval: the clock was set back; waiting
			// for it to catch up would stop totals and dailies for as long.
			if wait <= 0 || wait > u.cfg.TotalsInterval {
				if err := p.publishTotals(ctx); err != nil {
					return err
				}
			} else {
				timer = time.NewTimer(wait)
				timerC = timer.C
			}
		}
		var head <-chan struct{}
		if len(p.queue) > 0 {
			head = p.queue[0].tok.Done()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
			p.totalsDirty = true
		case <-head:
			if err := p.acks(); err != nil {
				return err
			}
		case <-timerC:
			// The interval has passed in real time: publish, whatever the
			// wall clock says now (a clock stepped back and forth between
			// two wake-ups must not hold totals and dailies back).
			timer, timerC = nil, nil
			if p.totalsDirty {
				if err := p.publishTotals(ctx); err != nil {
					return err
				}
			}
		case <-day.C:
			// Midnight passed with no new event: today's totals restart
			// and yesterday goes out as daily/{date}.
			if u.outbox.Totals().Date != p.lastDate {
				p.totalsDirty = true
			}
		}
	}
}

// fill hands events to paho until the window is full or the outbox is
// drained. Events are read ahead in batches, so a window that frees one
// slot at a time does not cost one store read per event.
func (p *publisher) fill() error {
	u := p.u
	for len(p.queue) < u.cfg.Window {
		if len(p.ahead) == 0 {
			after := p.next
			events, err := u.outbox.Pending(after, max(readAhead, u.cfg.Window))
			if err != nil {
				return fmt.Errorf("read outbox: %w", err)
			}
			if len(events) == 0 {
				return nil
			}
			p.ahead = events
		}
		e := p.ahead[0]
		p.ahead = p.ahead[1:]
		if e.V == 0 {
			e.V = wire.Version
		}
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event %d: %w", e.Seq, err)
		}
		p.queue = append(p.queue, inflight{seq: e.Seq, tok: p.publish(p.topics.Event(), false, b)})
		p.next = e.Seq
	}
	return nil
}

// readAhead is how many events fill reads from the store at once.
const readAhead = 256

// acks hands the completed head of the window to the store.
func (p *publisher) acks() error {
	n := 0
	defer func() {
		p.queue = p.queue[n:]
		p.u.setState(func(s *State) { s.Sent += uint64(n) })
	}()
	for ; n < len(p.queue) && isDone(p.queue[n].tok); n++ {
		if err := p.queue[n].tok.Error(); err != nil {
			return fmt.Errorf("publish event %d: %w", p.queue[n].seq, err)
		}
		if err := p.u.outbox.Ack(p.queue[n].seq); err != nil {
			return fmt.Errorf("ack event %d: %w", p.queue[n].seq, err)
		}
	}
	if n == len(p.queue) {
		// The backlog may just have drained: let the status say so soon.
		p.totalsDirty = true
	}
	return nil
}

func isDone(t Token) bool {
	select {
	case <-t.Done():
		return true
	default:
		return false
	}
}

func (p *publisher) publishTotals(ctx context.Context) error {
	u := p.u
	t := u.outbox.Totals()
	t.V = wire.Version
	if t.Site == "" {
		t.Site, t.Device = u.cfg.Site, u.cfg.Device
	}
	if t.Time.IsZero() {
		t.Time = u.cfg.Clock.Now().UTC()
	}
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode totals: %w", err)
	}
	p.publish(p.topics.Totals(), true, b)
	p.lastDate = t.Date
	now := u.cfg.Clock.Now()
	p.lastTotals, p.totalsDirty = now, false
	if now.Sub(p.lastStatus) >= 5*u.cfg.TotalsInterval || len(p.queue) == 0 {
		p.publish(p.topics.Status(), true, u.status(p.topics, true))
		p.lastStatus = now
	}
	return p.publishDailies(ctx)
}

// dailyMark is the DailyMarkFile: each day published with the Seq of the
// payload, so a day whose counters changed after it went out (an event
// stamped before midnight but stored after it, a clock that was wrong) is
// published again, and no clock jump can hide a day behind a date mark.
type dailyMark struct {
	Days map[string]uint64 `json:"days"`
}

// maxDailyMarks bounds the days remembered (the oldest are forgotten).
const maxDailyMarks = 1000

// publishDailies publishes every closed day that was not published with its
// current counters (new days, and days that changed since), and remembers
// them once the broker has them.
func (p *publisher) publishDailies(ctx context.Context) error {
	u := p.u
	all, err := u.outbox.ClosedDaysAfter("")
	if err != nil {
		return fmt.Errorf("read closed days: %w", err)
	}
	u.mu.Lock()
	var days []wire.Daily
	for _, d := range all {
		if seq, ok := u.daily[d.Date]; !ok || seq != d.Seq {
			days = append(days, d)
		}
	}
	u.mu.Unlock()
	if len(days) == 0 {
		return nil
	}
	toks := make([]Token, len(days))
	for i, d := range days {
		d.V = wire.Version
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode daily %s: %w", d.Date, err)
		}
		toks[i] = p.publish(p.topics.Daily(d.Date), true, b)
	}
	for _, t := range toks {
		select {
		case <-t.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := t.Error(); err != nil {
			return fmt.Errorf("publish daily: %w", err)
		}
	}
	u.mu.Lock()
	for _, d := range days {
		if _, again := u.daily[d.Date]; again {
			u.log.Info("daily republished: its counters changed after it went out", "date", d.Date, "seq", d.Seq)
		}
		u.daily[d.Date] = d.Seq
	}
	if n := len(u.daily) - maxDailyMarks; n > 0 {
		dates := slices.Sorted(maps.Keys(u.daily))
		for _, old := range dates[:n] {
			delete(u.daily, old)
		}
	}
	b, err := json.Marshal(dailyMark{Days: u.daily})
	u.mu.Unlock()
	if u.cfg.DailyMarkFile != "" && err == nil {
		if err := atomicfile.WriteFile(u.cfg.DailyMarkFile, append(b, '\n'), 0o600); err != nil {
			u.log.Warn("cannot remember the dailies published", "file", u.cfg.DailyMarkFile, "error", err)
		}
	}
	return nil
}

// ClientTLS returns the TLS settings of a client of cfg.Broker: nil for a
// plain tcp:// or mqtt:// broker, else TLS 1.2+ trusting cfg.CAFile (the
// system roots when empty) and presenting cfg.CertFile/KeyFile when set.
// The hub's subscriber uses it, so both ends of the contract read the same
// mqtt.* files the same way. Its errors are in plain words.
func ClientTLS(cfg Config) (*tls.Config, error) {
	return (&Uplink{cfg: cfg}).tlsConfig()
}

// CheckBroker refuses a broker URL that does not parse or holds
// credentials (see Config.Broker).
func CheckBroker(broker string) error { return checkBroker(broker) }

// Describe says in plain words, for staff, why a connection to cfg.Broker
// failed.
func Describe(err error, cfg Config) string { return describe(err, cfg) }
