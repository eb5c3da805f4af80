// Package ingest is the hub's MQTT subscriber: it receives what the devices
// publish, decodes it with edge/wire's strict decoders and hands it to the
// store. It is the one package of the hub that imports paho.
//
// # Subscriptions
//
// The retained topics ({root}/+/+/status, totals and daily/+) are taken with
// a plain subscription: every replica needs every device's latest state,
// and MQTT 5 brokers do not deliver retained messages to shared
// subscribers (brokers differ here). Events ({root}/+/+/event) are taken
// through a shared subscription ($share/{group}/…), so several replicas
// split the event stream between them; the database dedupes whatever two
// of them both receive.
//
// # Exactly once, end to end
//
// The session is persistent (clean session off, a stable client id), so the
// broker queues events while the hub is restarting. A message is
// acknowledged (PUBACK) only after the transaction that stored it
// committed: a hub killed at any moment loses nothing, and what the broker
// then sends again is dropped by the database's dedupe key. A payload that
// fails to decode is counted, logged at most once a minute per device, and
// acknowledged: it can never be stored, and it must not stop ingest.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Store is what ingest writes to (edge/hub/db's DB).
type Store interface {
	StoreEvents(ctx context.Context, events []db.Event, now time.Time) (int, error)
	StoreTotals(ctx context.Context, epoch string, t wire.Totals, now time.Time) (bool, error)
	StoreDaily(ctx context.Context, site, device, epoch string, d wire.Daily, now time.Time) (bool, error)
	StoreStatus(ctx context.Context, site, device, epoch string, st wire.Status, now time.Time) error
}

// Config configures the subscriber. Zero fields get safe defaults.
type Config struct {
	// MQTT holds the broker, credentials and TLS files, read the same way
	// as the device side reads them (Site and Device are not used).
	MQTT uplink.Config
	// ClientID must be stable across restarts and different for each
	// replica: the broker keeps the session (and its queued events) by it.
	// Default "wufang-hub-" + the host name.
	ClientID string
	// ShareGroup is the shared-subscription group of the event stream
	// (default "wufang-hub"); replicas of one hub use the same group.
	ShareGroup string
	// PlainEvents subscribes to events plainly instead (one hub only). Use
	// it with Mosquitto 2.0, which does not restore a shared subscription
	// from its persistence file: events published after a broker restart,
	// before the hub has subscribed again, are dropped for a shared group
	// (checked with Mosquitto 2.0.11), but queued for a plain one.
	PlainEvents bool
	// BatchSize is the most events stored in one transaction (default 500)
	// and BatchDelay the longest an event waits for its batch (default
	// 20 ms).
	BatchSize  int
	BatchDelay time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Stats are ingest's counters since start.
type Stats struct {
	Connected   bool
	Since       time.Time // connected or disconnected since
	LastError   string
	Received    map[string]uint64 // messages per topic kind: status, event, totals, daily
	Stored      uint64            // events new to the database
	Duplicates  uint64            // events the database already had
	Bad         map[string]uint64 // refused payloads per topic kind ("topic" for a topic outside the contract)
	StoreErrors uint64            // failed transactions (retried)
	Batches     uint64
	Queued      int           // events received, not stored yet
	LastMessage time.Time     // when the last message arrived
	Lag         time.Duration // receive time minus event time of the last event stored
}

// Ingest is a running subscriber.
type Ingest struct {
	cfg   Config
	store Store
	log   *slog.Logger

	queue   chan item
	closeMu sync.RWMutex
	closed  bool

	mu      sync.Mutex
	stats   Stats
	badSeen map[string]time.Time // device -> when a bad payload was last logged
	queued  atomic.Int64

	stopped atomic.Bool  // Run has returned
	beat    atomic.Int64 // cfg.Now in unix ns when the writer last moved (took an item, tried a transaction)
}

type item struct {
	site, device, rest string
	payload            []byte
	ack                func()
}

// New returns a subscriber storing into store. A nil log discards.
func New(cfg Config, store Store, log *slog.Logger) *Ingest {
	if cfg.MQTT.TopicRoot == "" {
		cfg.MQTT.TopicRoot = wire.DefaultRoot
	}
	if cfg.MQTT.Keepalive <= 0 {
		cfg.MQTT.Keepalive = 30 * time.Second
	}
	if cfg.MQTT.ConnectTimeout <= 0 {
		cfg.MQTT.ConnectTimeout = 10 * time.Second
	}
	if cfg.ClientID == "" {
		host, _ := os.Hostname()
		cfg.ClientID = "wufang-hub-" + host
	}
	if cfg.ShareGroup == "" {
		cfg.ShareGroup = "wufang-hub"
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.BatchDelay <= 0 {
		cfg.BatchDelay = 20 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Ingest{cfg: cfg, store: store, log: log, queue: make(chan item, 4*cfg.BatchSize),
		stats: Stats{Received: map[string]uint64{}, Bad: map[string]uint64{}}, badSeen: map[string]time.Time{}}
}

// Filters returns the subscriptions: the plain ones of the retained topics
// and the shared one of the event stream.
func (in *Ingest) Filters() map[string]byte {
	root := in.cfg.MQTT.TopicRoot
	events := "$share/" + in.cfg.ShareGroup + "/" + root + "/+/+/event"
	if in.cfg.PlainEvents {
		events = root + "/+/+/event"
	}
	return map[string]byte{root + "/+/+/status": 1, root + "/+/+/totals": 1, root + "/+/+/daily/+": 1, events: 1}
}

// Stats returns a copy of the counters.
func (in *Ingest) Stats() Stats {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := in.stats
	s.Received = copyMap(s.Received)
	s.Bad = copyMap(s.Bad)
	s.Queued = int(in.queued.Load())
	return s
}

func copyMap(m map[string]uint64) map[string]uint64 {
	out := make(map[string]uint64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Run subscribes and stores until ctx is done, then stores what it has
// received, disconnects and returns nil. It reconnects by itself. It
// returns an error at once when the configuration cannot work.
func (in *Ingest) Run(ctx context.Context) error {
	defer in.stopped.Store(true)
	m := in.cfg.MQTT
	if m.Broker == "" {
		return errors.New("ingest: no broker configured: set mqtt.broker")
	}
	if err := uplink.CheckBroker(m.Broker); err != nil {
		return err
	}
	if _, err := wire.NewTopics(m.TopicRoot, "x", "x"); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	tlsCfg, err := uplink.ClientTLS(m)
	if err != nil {
		return fmt.Errorf("ingest: %s", uplink.Describe(err, m))
	}
	opts := mqtt.NewClientOptions().
		AddBroker(m.Broker).
		SetClientID(in.cfg.ClientID).
		SetProtocolVersion(4).
		SetCleanSession(false).
		SetAutoAckDisabled(true).
		SetOrderMatters(true).
		SetKeepAlive(m.Keepalive).
		SetPingTimeout(min(m.Keepalive, 10*time.Second)).
		SetConnectTimeout(m.ConnectTimeout).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(30 * time.Second).
		SetDefaultPublishHandler(in.handle)
	if m.Username != "" {
		opts.SetUsername(m.Username).SetPassword(m.Password)
	}
	if tlsCfg != nil {
		opts.SetTLSConfig(tlsCfg)
	}
	filters := in.Filters()
	opts.SetOnConnectHandler(func(c mqtt.Client) {
		in.setConn(true, "")
		in.log.Info("mqtt connected", "broker", m.Broker, "client_id", in.cfg.ClientID)
		// Subscribing again on every connection is harmless with a kept
		// session and needed when the broker lost it.
		tok := c.SubscribeMultiple(filters, in.handle)
		go func() {
			if tok.WaitTimeout(30*time.Second) && tok.Error() != nil {
				in.log.Error("mqtt subscribe failed", "error", tok.Error())
			}
		}()
	})
	opts.SetConnectionLostHandler(func(_ mqtt.Client, err error) {
		msg := uplink.Describe(err, m)
		in.setConn(false, msg)
		in.log.Warn("mqtt connection lost", "broker", m.Broker, "error", msg)
	})
	writerDone := make(chan struct{})
	in.beat.Store(in.cfg.Now().UnixNano())
	go func() { in.writer(); close(writerDone) }()

	client := mqtt.NewClient(opts)
	client.Connect() // with connect retry on, it keeps trying until Disconnect
	<-ctx.Done()
	// Drain: take no more messages (those not taken stay unacknowledged
	// with the broker for next time), store and acknowledge what is
	// queued, then leave.
	in.closeMu.Lock()
	in.closed = true
	close(in.queue)
	in.closeMu.Unlock()
	<-writerDone
	client.Disconnect(250)
	in.setConn(false, "")
	return nil
}

// writerStall is how long the writer may hold queued messages without
// taking one or trying a transaction before Alive calls it stuck: a
// transaction gives up after 60 s and is retried within 10 s.
const writerStall = 3 * time.Minute

// Alive reports whether ingest does its work, for the service watchdog:
// nil until Run has returned, while its writer moves (or has nothing to
// do). Being disconnected from the broker, or retrying a database that
// refuses, is alive: those are outages to ride out, not a stuck process.
func (in *Ingest) Alive() error {
	if in.stopped.Load() {
		return errors.New("ingest has stopped")
	}
	q := in.queued.Load()
	if idle := in.cfg.Now().Sub(time.Unix(0, in.beat.Load())); q > 0 && idle > writerStall {
		return fmt.Errorf("ingest is stuck: %d messages queued and nothing stored or tried for %v", q, idle.Round(time.Second))
	}
	return nil
}

func (in *Ingest) setConn(up bool, msg string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stats.Connected != up {
		in.stats.Since = in.cfg.Now()
	}
	in.stats.Connected = up
	if msg != "" {
		in.stats.LastError = msg
	}
}

func (in *Ingest) handle(_ mqtt.Client, m mqtt.Message) {
	in.closeMu.RLock()
	defer in.closeMu.RUnlock()
	if in.closed {
		return
	}
	in.Handle(m.Topic(), m.Payload(), m.Ack)
}

// Handle takes one message as if it came from the broker: ack is called
// once the message is stored or refused for good. It is the whole ingest
// path but the network, for tests and fuzzing.
func (in *Ingest) Handle(topic string, payload []byte, ack func()) {
	now := in.cfg.Now()
	site, device, rest, ok := wire.ParseTopic(in.cfg.MQTT.TopicRoot, topic)
	if !ok {
		in.bad("topic", "", topic, errors.New("not a device topic of the contract"), now)
		ack()
		return
	}
	kind := rest
	if len(kind) > 6 && kind[:6] == "daily/" {
		kind = "daily"
	}
	in.mu.Lock()
	in.stats.Received[kind]++
	in.stats.LastMessage = now
	in.mu.Unlock()
	in.queued.Add(1)
	in.queue <- item{site: site, device: device, rest: rest, payload: payload, ack: ack}
}

// bad counts a refused payload and logs it, at most once a minute per
// device (a broken device publishing in a loop must not flood the log).
func (in *Ingest) bad(kind, device, topic string, err error, now time.Time) {
	in.mu.Lock()
	in.stats.Bad[kind]++
	last, seen := in.badSeen[device]
	logIt := !seen || now.Sub(last) >= time.Minute
	if logIt {
		in.badSeen[device] = now
	}
	n := in.stats.Bad[kind]
	in.mu.Unlock()
	if logIt {
		in.log.Warn("payload refused", "topic", truncate(topic, 200), "error", truncate(err.Error(), 300), "refused_so_far", n)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// writer stores the queue: events in batches, everything else at once, in
// arrival order. A failed transaction is retried until it succeeds (the
// database is down, or busy): nothing is acknowledged before it is stored.
func (in *Ingest) writer() {
	var batch []db.Event
	var acks []func()
	var timer *time.Timer
	var timerC <-chan time.Time
	flush := func() {
		if len(batch) == 0 {
			return
		}
		var n int
		in.retry(func(ctx context.Context) (err error) {
			n, err = in.store.StoreEvents(ctx, batch, in.cfg.Now())
			return err
		})
		now := in.cfg.Now()
		in.mu.Lock()
		in.stats.Stored += uint64(n)
		in.stats.Duplicates += uint64(len(batch) - n)
		in.stats.Batches++
		if t := batch[len(batch)-1].Time; !t.IsZero() {
			in.stats.Lag = now.Sub(t)
		}
		in.mu.Unlock()
		for _, a := range acks {
			a()
		}
		in.queued.Add(-int64(len(batch)))
		batch, acks = batch[:0], acks[:0]
		if timer != nil {
			timer.Stop()
			timer, timerC = nil, nil
		}
	}
	for {
		select {
		case it, ok := <-in.queue:
			in.beat.Store(in.cfg.Now().UnixNano())
			if !ok {
				flush()
				return
			}
			if it.rest == "event" {
				e, err := wire.DecodeEvent(it.payload)
				if err != nil {
					in.queued.Add(-1)
					in.bad("event", it.site+"/"+it.device, in.topic(it), err, in.cfg.Now())
					it.ack()
					continue
				}
				batch = append(batch, db.Event{Site: it.site, Device: it.device, Epoch: eventEpoch(e), Event: e})
				acks = append(acks, it.ack)
				// Flush when the batch is full or nothing more is waiting:
				// the broker sends only so many messages before it has our
				// acknowledgements (its in-flight window, 20 by default on
				// Mosquitto), so waiting for more would only stall it.
				if len(batch) >= in.cfg.BatchSize || len(in.queue) == 0 {
					flush()
				} else if timer == nil {
					timer = time.NewTimer(in.cfg.BatchDelay)
					timerC = timer.C
				}
				continue
			}
			in.queued.Add(-1)
			in.storeRetained(it)
			it.ack()
		case <-timerC:
			timer, timerC = nil, nil
			flush()
		}
	}
}

func (in *Ingest) topic(it item) string {
	return in.cfg.MQTT.TopicRoot + "/" + it.site + "/" + it.device + "/" + it.rest
}

// storeRetained decodes and stores a status, totals or daily message.
func (in *Ingest) storeRetained(it item) {
	now := in.cfg.Now()
	dev := it.site + "/" + it.device
	switch {
	case it.rest == "status":
		st, err := wire.DecodeStatus(it.payload)
		if err != nil {
			in.bad("status", dev, in.topic(it), err, now)
			return
		}
		in.retry(func(ctx context.Context) error {
			return in.store.StoreStatus(ctx, it.site, it.device, statusEpoch(st), st, now)
		})
	case it.rest == "totals":
		t, err := wire.DecodeTotals(it.payload)
		if err == nil && (t.Site != it.site || t.Device != it.device) {
			err = fmt.Errorf("totals of %s/%s published under %s", t.Site, t.Device, dev)
		}
		if err != nil {
			in.bad("totals", dev, in.topic(it), err, now)
			return
		}
		in.retry(func(ctx context.Context) error {
			_, err := in.store.StoreTotals(ctx, totalsEpoch(t), t, now)
			return err
		})
	default: // daily/{date}
		d, err := wire.DecodeDaily(it.payload)
		if err == nil && "daily/"+d.Date != it.rest {
			err = fmt.Errorf("daily of %s published under %s", d.Date, it.rest)
		}
		if err != nil {
			in.bad("daily", dev, in.topic(it), err, now)
			return
		}
		in.retry(func(ctx context.Context) error {
			_, err := in.store.StoreDaily(ctx, it.site, it.device, dailyEpoch(d), d, now)
			return err
		})
	}
}

// retry runs f until it succeeds, waiting longer after each failure (up to
// 10 s) and logging the first failure and every tenth.
func (in *Ingest) retry(f func(ctx context.Context) error) {
	for attempt := 1; ; attempt++ {
		in.beat.Store(in.cfg.Now().UnixNano())
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		in.mu.Lock()
		in.stats.StoreErrors++
		in.mu.Unlock()
		if attempt == 1 || attempt%10 == 0 {
			in.log.Error("cannot store; retrying (is the database reachable?)", "error", err, "attempt", attempt)
		}
		time.Sleep(min(time.Duration(attempt)*200*time.Millisecond, 10*time.Second))
	}
}
