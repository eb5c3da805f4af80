// Package node is the device runtime shared by wufang-edge and
// wufang-kiosk: from a config it opens the event store, starts the room's
// sensors (real GPIO, or simulated when sensors.simulate is set or the board
// has no GPIO), records their door, presence and health events, runs the
// MQTT uplink and serves /status and /metrics on the local HTTP endpoint.
//
//	n, err := node.Start(ctx, cfg, node.Options{Version: version})
//	…                 // n.Store.Record(ctx, e) for visit events, n.Sensors() for buttons
//	err = n.Wait()    // after ctx ends: everything stopped, store closed
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/delivery"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/internal/version"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/health"
	"github.com/wufang-kiosk/wufang/sensors/hw"
	"github.com/wufang-kiosk/wufang/sensors/room"
	"github.com/wufang-kiosk/wufang/sensors/sim"
)

// StoreFile is the event store's file name inside data_dir.
const StoreFile = "events.db"

// dailyMarkFile remembers the last daily/{date} the uplink published.
const dailyMarkFile = "uplink-daily"

// StorePath is where the event store of cfg lives.
func StorePath(cfg *config.Config) string { return filepath.Join(cfg.DataDir, StoreFile) }

// StoreOptions are the store options of cfg.
func StoreOptions(cfg *config.Config, log *slog.Logger) store.Options {
	o := store.Options{
		Location:  cfg.Location,
		MaxBytes:  int64(cfg.Store.MaxBytes),
		Retention: cfg.Store.Retention.D(),
		Logger:    log,
		Site:      cfg.Site,
		Device:    cfg.Device,
	}
	if canTellClock {
		o.ClockSynced = clockSynced
	}
	return o
}

// Options tune Start. The zero value is what wufang-edge run uses.
type Options struct {
	// Version is the application version, sent in the status payload
	// (empty: this binary's, internal/version).
	Version string
	Logger  *slog.Logger // nil: discard
	Clock   clock.Clock  // of the sensors, the store and the uplink; nil: the wall clock
	// SimScript is a visitor script (sensors/sim format) played on the
	// simulated sensors once they run; ignored on real hardware.
	SimScript string
	// Describe adds what the node does not know to the status payload (the
	// kiosk's content pack).
	Describe func(*wire.Status)
	// UplinkBackoff overrides the uplink's reconnect backoff (tests).
	UplinkBackoff func(n int) time.Duration

	// With content.from_hub: true the node takes the packs the hub offers
	// (edge/delivery). Installer is the one USB installs use (nil: one for
	// data_dir's content folder, recording into the store); Visiting
	// reports whether a visit is running (nil: never, as on a door
	// counter); PackLive makes an installed pack the one visitors see.
	Installer *content.Installer
	Visiting  func() bool
	PackLive  func(content.Info)
	// DeliveryRetry overrides how often a waiting offer is looked at
	// again (tests; default 30 s).
	DeliveryRetry time.Duration
}

// Node is a running device.
type Node struct {
	// Store is the durable event store; visit events are recorded with
	// Store.Record.
	Store *store.Store
	// Sim drives the simulated sensors by hand; nil on real hardware.
	Sim *sim.Room

	cfg      *config.Config
	opts     Options
	log      *slog.Logger
	uplink   *uplink.Uplink
	delivery *delivery.Delivery
	packs    *content.Installer
	room     *room.Room
	schedule config.Schedule
	started  time.Time
	httpAddr net.Addr

	mu      sync.Mutex
	subs    []chan sensors.Event
	dropped uint64 // sensor events a slow Sensors consumer missed
	closed  bool
	errs    []error
	// quit says which of the node's own loops ended before its ctx did
	// (Healthy reports it).
	quit map[string]error

	done chan struct{}
	err  error
}

// httpIdleTimeout closes keep-alive connections of the status endpoint
// that sit idle (a variable for the tests).
var httpIdleTimeout = time.Minute

// ErrStoreBroken: the node stopped by itself because its store met a
// damaged page (Wait returns it). Exit non-zero: the restart repairs the
// file.
var ErrStoreBroken = errors.New("node: the event store is damaged; restart to repair it")

// Start opens the store, starts the sensors, the uplink and the HTTP
// endpoint, and runs until ctx ends; Wait then returns once everything has
// stopped and the store is closed.
func Start(ctx context.Context, cfg *config.Config, opts Options) (*Node, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Clock = clock.Or(opts.Clock)
	if opts.Version == "" {
		opts.Version = version.String()
	}
	log := opts.Logger
	if cfg.Location == nil {
		loc, err := time.LoadLocation(cfg.Timezone)
		if err != nil {
			return nil, fmt.Errorf("node: timezone: %w", err)
		}
		cfg.Location = loc
	}
	password, err := cfg.Password()
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if cfg.MQTT.Broker != "" {
		if _, err := wire.NewTopics(cfg.MQTT.TopicRoot, cfg.Site, cfg.Device); err != nil {
			return nil, fmt.Errorf("node: %w", err)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("node: create data_dir: %w", err)
	}
	sopts := StoreOptions(cfg, log)
	sopts.Clock = opts.Clock
	st, err := store.Open(StorePath(cfg), sopts)
	if err != nil {
		return nil, fmt.Errorf("node: open store: %w", err)
	}
	// The node also stops by itself when the store breaks (a damaged page
	// met while running): the process exits non-zero and its restart
	// repairs the file (store.Open), instead of running on, refusing
	// every write, with a status that says all is well.
	ctx, stopAll := context.WithCancel(ctx)
	started := false
	defer func() {
		if !started {
			stopAll()
		}
	}()
	go func() {
		select {
		case <-st.Broken():
			log.Error("the event store is damaged; stopping so that the restart repairs it", "err", st.Err())
			stopAll()
		case <-ctx.Done():
		}
	}()
	n := &Node{Store: st, cfg: cfg, opts: opts, log: log, schedule: cfg.Kiosk.Schedule(), started: opts.Clock.Now(), done: make(chan struct{})}
	if s := st.Stats(); s.Recovered != "" {
		// The store logged what it salvaged (or that nothing could be).
		log.Warn("the event store was damaged and was moved aside; a fresh file took over what could be read", "moved_to", s.Recovered, "epoch", s.Epoch, "last_seq", s.LastSeq, "backlog", s.Backlog)
	}

	// Everything below stops with ctx; the store closes last.
	var ln net.Listener
	if cfg.HTTP.Listen != "" {
		ln, err = net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("node: http.listen %s: %w", cfg.HTTP.Listen, err)
		}
		n.httpAddr = ln.Addr()
		if host, _, _ := net.SplitHostPort(cfg.HTTP.Listen); !config.IsLoopback(host) {
			log.Warn("the status endpoint is reachable from the network (http.allow_remote); /status and /metrics have no password", "listen", cfg.HTTP.Listen)
		}
	}
	setup := RoomSetup(cfg.Sensors)
	pins, err := n.openPins(setup)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		st.Close()
		return nil, fmt.Errorf("node: sensors: %w", err)
	}
	rctx, cancelRoom := context.WithCancel(ctx)
	r, err := room.Start(rctx, setup, pins, &room.Opts{Clock: opts.Clock, Logger: log, Open: n.open})
	if err != nil {
		cancelRoom()
		if ln != nil {
			ln.Close()
		}
		st.Close()
		return nil, fmt.Errorf("node: sensors: %w", err)
	}
	n.room = r

	ucfg := uplink.Config{
		Broker:        cfg.MQTT.Broker,
		TopicRoot:     cfg.MQTT.TopicRoot,
		Site:          cfg.Site,
		Device:        cfg.Device,
		Username:      cfg.MQTT.Username,
		Password:      password,
		CAFile:        cfg.MQTT.CAFile,
		CertFile:      cfg.MQTT.CertFile,
		KeyFile:       cfg.MQTT.KeyFile,
		Keepalive:     cfg.MQTT.Keepalive.D(),
		DailyMarkFile: filepath.Join(cfg.DataDir, dailyMarkFile),
		Describe:      n.describe,
		Backoff:       opts.UplinkBackoff,
		Clock:         opts.Clock,
	}
	n.uplink = uplink.New(ucfg, st, log)
	if cfg.Content.FromHub && cfg.MQTT.Broker != "" {
		if err := n.newDelivery(); err != nil {
			cancelRoom()
			if ln != nil {
				ln.Close()
			}
			st.Close()
			return nil, fmt.Errorf("node: %w", err)
		}
	}

	var wg sync.WaitGroup
	wg.Go(func() {
		n.record(r.Events())
		err := r.Wait()
		if err != nil {
			n.fail(fmt.Errorf("sensors: %w", err))
		}
		n.ended(ctx, "the sensors", err)
	})
	wg.Go(func() {
		err := n.uplink.Run(ctx)
		if err != nil {
			n.fail(err)
		}
		n.ended(ctx, "the MQTT uplink", err)
	})
	if ln != nil {
		// Timeouts so that idle keep-alive connections and slow clients
		// do not hold sockets for ever.
		srv := &http.Server{Handler: n.Handler(), ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: httpIdleTimeout}
		wg.Go(func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.fail(fmt.Errorf("http: %w", err))
			}
		})
		wg.Go(func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		})
	}
	if n.Sim != nil && opts.SimScript != "" {
		wg.Go(func() { n.playScript(rctx, opts.SimScript) })
	}
	if n.delivery != nil {
		wg.Go(func() { _ = n.delivery.Run(ctx) })
		wg.Go(func() {
			bad := func(topic string, err error) { log.Warn("pack offer ignored", "topic", topic, "err", err) }
			if err := uplink.Offers(ctx, ucfg, n.delivery.Offer, bad); err != nil {
				n.fail(err)
			}
		})
	}
	go func() {
		<-ctx.Done()
		cancelRoom()
	}()
	go func() {
		wg.Wait()
		if err := st.Err(); err != nil {
			n.fail(fmt.Errorf("%w (%w)", ErrStoreBroken, err))
		}
		if err := st.Close(); err != nil {
			n.fail(fmt.Errorf("close store: %w", err))
		}
		stopAll()
		n.mu.Lock()
		n.closed = true
		for _, c := range n.subs {
			close(c)
		}
		n.subs = nil
		n.err = errors.Join(n.errs...)
		n.mu.Unlock()
		close(n.done)
	}()
	started = true
	log.Info("wufang node running", "site", cfg.Site, "device", cfg.Device, "store", StorePath(cfg),
		"simulated", n.Sim != nil, "uplink", ucfg.Broker != "", "http", n.HTTPAddr())
	return n, nil
}

func (n *Node) openPins(setup room.Setup) (room.Pins, error) {
	simOpts := &sim.Opts{Clock: n.opts.Clock}
	if n.cfg.Sensors.Simulate {
		n.Sim = sim.NewRoom(setup, simOpts)
		return n.Sim.Pins(), nil
	}
	pins, err := hw.Open(setup)
	if errors.Is(err, hw.ErrNoGPIO) {
		n.log.Warn("no GPIO on this machine: running with simulated sensors", "hint", "set sensors.simulate: true to silence this")
		n.Sim = sim.NewRoom(setup, simOpts)
		return n.Sim.Pins(), nil
	}
	return pins, err
}

func (n *Node) playScript(ctx context.Context, path string) {
	f, err := os.Open(path)
	if err != nil {
		n.log.Error("cannot read the simulation script", "file", path, "err", err)
		return
	}
	defer f.Close()
	if err := n.Sim.RunScript(ctx, f); err != nil && ctx.Err() == nil {
		n.log.Error("simulation script stopped", "file", path, "err", err)
		return
	}
	if ctx.Err() == nil {
		n.log.Info("simulation script finished", "file", path)
	}
}

func (n *Node) open(t time.Time) bool { return n.schedule.Open(t.In(n.cfg.Location)) }

func (n *Node) fail(err error) {
	n.mu.Lock()
	n.errs = append(n.errs, err)
	n.mu.Unlock()
}

// ended notes that the loop what returned (with err) while the node was
// to run on.
func (n *Node) ended(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.quit == nil {
		n.quit = map[string]error{}
	}
	n.quit[what] = err
}

// Healthy reports whether the node does its work, for the service
// watchdog (wufang-edge run, wufang-kiosk): nil while the event store
// accepts writes and the sensors and the uplink loops run. A disconnected
// uplink is healthy: a broker outage is the uplink's to ride out (the
// backlog waits in the store), not a reason to restart the device. The
// store's "disk full" is healthy too (it works in the space it freed);
// "write error" and "damaged" are not: events are being lost.
func (n *Node) Healthy() error {
	select {
	case <-n.done:
		return errors.New("the node has stopped")
	default:
	}
	st := n.Store.Stats()
	if st.State == store.StateFailing || st.State == store.StateDamaged {
		return fmt.Errorf("the event store does not accept writes (%s): %s", st.State, st.LastError)
	}
	n.mu.Lock()
	var quit []string
	for what, err := range n.quit {
		if err != nil {
			quit = append(quit, fmt.Sprintf("%s stopped: %v", what, err))
		} else {
			quit = append(quit, what+" stopped")
		}
	}
	n.mu.Unlock()
	if len(quit) > 0 {
		slices.Sort(quit)
		return errors.New(strings.Join(quit, "; "))
	}
	_ = n.uplink.State() // answers, or the check hangs: the uplink's lock is stuck
	return nil
}

// record stores what the sensors report and hands a copy to every Sensors
// consumer, until the room stops.
func (n *Node) record(events <-chan sensors.Event) {
	for e := range events {
		n.fanOut(e)
		we, ok := n.wireEvent(e)
		if !ok {
			continue
		}
		// Not the node's ctx: what the sensors said before shutdown is still
		// recorded, the store closes only after this loop ends.
		if err := n.Store.Record(context.Background(), we); err != nil {
			n.log.Error("cannot record a sensor event", "kind", we.Kind, "sensor", we.Sensor, "err", err)
		}
	}
}

// wireEvent maps a sensor event to the visit event recorded for it: door
// crossings (marked after hours outside the opening hours), presence, and
// sensor faults and recoveries. Buttons and pads are the kiosk's business.
func (n *Node) wireEvent(e sensors.Event) (wire.Event, bool) {
	we := wire.Event{Time: e.Time, Sensor: e.Sensor}
	if we.Time.IsZero() {
		we.Time = n.opts.Clock.Now()
	}
	switch e.Kind {
	case sensors.DoorEntry:
		we.Kind = wire.DoorEntry
		we.AfterHours = !n.open(we.Time)
	case sensors.DoorExit:
		we.Kind = wire.DoorExit
		we.AfterHours = !n.open(we.Time)
	case sensors.PresenceStart:
		we.Kind = wire.PresenceStart
	case sensors.PresenceEnd:
		we.Kind = wire.PresenceEnd
	case sensors.Fault:
		we.Kind = wire.SensorFault
		we.Reason = truncate(e.Detail, 200)
	case sensors.OK:
		we.Kind = wire.SensorOK
	default:
		return wire.Event{}, false
	}
	return we, true
}

func truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max])
}

func (n *Node) fanOut(e sensors.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.subs {
		select {
		case c <- e:
		default:
			n.dropped++
			if n.dropped == 1 || n.dropped%100 == 0 {
				n.log.Warn("a sensor event consumer is too slow; events skipped", "skipped", n.dropped)
			}
		}
	}
}

// Sensors returns a new channel with a copy of every sensor event from now
// on (buttons and pads included). A consumer that falls more than 256
// events behind misses some; recording is never held up. The channel is
// closed when the node stops.
func (n *Node) Sensors() <-chan sensors.Event {
	c := make(chan sensors.Event, 256)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		close(c)
		return c
	}
	n.subs = append(n.subs, c)
	return c
}

// UplinkState returns the uplink's state.
func (n *Node) UplinkState() uplink.State { return n.uplink.State() }

// Health returns the health of every sensor.
func (n *Node) Health() []health.Status { return n.room.Health() }

// HTTPAddr is the address the status endpoint listens on ("" when off).
func (n *Node) HTTPAddr() string {
	if n.httpAddr == nil {
		return ""
	}
	return n.httpAddr.String()
}

// Wait blocks until the node has stopped (its ctx ended) and returns what
// went wrong while it ran.
func (n *Node) Wait() error {
	<-n.done
	return n.err
}

// Done is closed once the node has stopped.
func (n *Node) Done() <-chan struct{} { return n.done }

// newDelivery sets up content.from_hub.
func (n *Node) newDelivery() error {
	cfg, opts := n.cfg, n.opts
	n.packs = opts.Installer
	if n.packs == nil {
		n.packs = &content.Installer{Dir: content.DefaultDir(cfg.DataDir), TrustedKeys: cfg.Content.TrustedKeys,
			AllowUnsigned: cfg.Content.AllowUnsigned, AppVersion: opts.Version, Recorder: n.Store, Clock: opts.Clock, Log: n.log}
	}
	d, err := delivery.New(delivery.Options{
		HubURL: cfg.Content.HubURL, CAFile: cfg.Content.HubCAFile, MaxBytes: int64(cfg.Content.MaxDownload),
		Timeout: cfg.Content.DownloadTimeout.D(), DuringHours: cfg.Content.InstallDuringHours,
		Installer: n.packs, Recorder: n.Store, Visiting: opts.Visiting, Open: n.open, Live: opts.PackLive,
		Retry: opts.DeliveryRetry, Clock: opts.Clock, Logger: n.log,
	})
	if err != nil {
		return err
	}
	n.delivery = d
	return nil
}

// OfferState is the node's report on the hub's pack offer (nil: none, or
// content.from_hub is off).
func (n *Node) OfferState() *wire.OfferState {
	if n.delivery == nil {
		return nil
	}
	return n.delivery.State()
}

func (n *Node) describe(s *wire.Status) {
	st := n.Store.Stats()
	s.App = n.opts.Version
	s.Epoch, s.Boot, s.Backlog, s.Dropped = st.Epoch, st.Boot, st.Backlog, st.Dropped
	s.Store, s.RecordFailures = st.State, st.RecordFailures
	if canTellClock {
		synced := clockSynced()
		s.ClockSynced = &synced
	}
	s.LastError = truncate(st.LastError, 1000)
	if s.LastError == "" && n.uplink != nil {
		s.LastError = truncate(n.uplink.State().LastError, 1000)
	}
	s.Sensors = map[string]string{}
	for _, h := range n.room.Health() {
		v := string(h.Level)
		if h.Level != health.OK && h.Reason != "" {
			v += ": " + h.Reason
		}
		s.Sensors[h.Sensor] = truncate(v, 200)
	}
	if n.delivery != nil {
		s.Offer = n.delivery.State()
		// A node that installs packs itself says which one is active,
		// unless its app (the kiosk) says so below.
		if _, _, info, err := n.packs.Active(); err == nil {
			s.Pack, s.PackVersion = info.ID, info.Version
		}
	}
	if n.opts.Describe != nil {
		n.opts.Describe(s)
	}
}
