package uplink

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock"
)

// Device is what a watcher knows of one device of a site.
type Device struct {
	Device    string
	Status    *wire.Status // nil until its status arrives
	Totals    *wire.Totals // nil until its totals arrive
	UpdatedAt time.Time
	// Bad is the reason the last payload from the device was refused.
	Bad string
}

// Site is a snapshot of a site's devices, sorted by device id.
type Site struct {
	Devices   []Device
	Connected bool
	LastError string
}

// Watch subscribes to a site's retained status and totals (cfg.Broker,
// credentials and TLS as for the uplink; cfg.Site is the site watched) and
// calls update with a new snapshot after each message and each change of
// connection, until ctx ends. It reconnects by itself.
func Watch(ctx context.Context, cfg Config, update func(Site)) error {
	if cfg.TopicRoot == "" {
		cfg.TopicRoot = wire.DefaultRoot
	}
	cfg.Clock = clock.Or(cfg.Clock)
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	filters, err := wire.SiteFilter(cfg.TopicRoot, cfg.Site)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if err := checkBroker(cfg.Broker); err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	u := &Uplink{cfg: cfg}
	tlsCfg, err := u.tlsConfig()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	var mu sync.Mutex
	devices := map[string]*Device{}
	site := Site{}
	emit := func() {
		s := Site{Connected: site.Connected, LastError: site.LastError}
		for _, d := range devices {
			s.Devices = append(s.Devices, *d)
		}
		sort.Slice(s.Devices, func(i, j int) bool { return s.Devices[i].Device < s.Devices[j].Device })
		update(s)
	}
	handle := func(_ mqtt.Client, m mqtt.Message) {
		_, dev, rest, ok := wire.ParseTopic(cfg.TopicRoot, m.Topic())
		if !ok {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		d := devices[dev]
		if d == nil {
			d = &Device{Device: dev}
			devices[dev] = d
		}
		d.UpdatedAt = cfg.Clock.Now()
		switch rest {
		case "status":
			st, err := wire.DecodeStatus(m.Payload())
			if err != nil {
				d.Bad = "status: " + err.Error()
				break
			}
			d.Status, d.Bad = &st, ""
		case "totals":
			t, err := wire.DecodeTotals(m.Payload())
			if err != nil {
				d.Bad = "totals: " + err.Error()
				break
			}
			d.Totals, d.Bad = &t, ""
		}
		emit()
	}
	subs := map[string]byte{}
	for _, f := range filters {
		subs[f] = 1
	}
	opts := mqtt.NewClientOptions().
		AddBroker(cfg.Broker).
		SetClientID(fmt.Sprintf("wufang-watch-%08x", rand.Uint32())).
		SetProtocolVersion(4).
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(2 * time.Second).
		SetMaxReconnectInterval(30 * time.Second).
		SetConnectTimeout(cfg.ConnectTimeout).
		SetOrderMatters(true).
		SetOnConnectHandler(func(c mqtt.Client) {
			mu.Lock()
			site.Connected, site.LastError = true, ""
			emit()
			mu.Unlock()
			c.SubscribeMultiple(subs, handle)
		}).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			mu.Lock()
			site.Connected, site.LastError = false, describe(err, cfg)
			emit()
			mu.Unlock()
		}).
		SetConnectionNotificationHandler(func(_ mqtt.Client, n mqtt.ConnectionNotification) {
			if f, ok := n.(mqtt.ConnectionNotificationFailed); ok {
				mu.Lock()
				site.Connected, site.LastError = false, describe(f.Reason, cfg)
				emit()
				mu.Unlock()
			}
		})
	subscribeUntilDone(ctx, opts, cfg, tlsCfg)
	return nil
}

// subscribeUntilDone connects a subscribing client (watch, offers) with
// cfg's credentials and TLS, and keeps it until ctx ends. The client
// retries by itself (SetConnectRetry in opts).
func subscribeUntilDone(ctx context.Context, opts *mqtt.ClientOptions, cfg Config, tlsCfg *tls.Config) {
	if cfg.Username != "" {
		opts.SetUsername(cfg.Username).SetPassword(cfg.Password)
	}
	if tlsCfg != nil {
		opts.SetTLSConfig(tlsCfg)
	}
	client := mqtt.NewClient(opts)
	client.Connect()
	<-ctx.Done()
	client.Disconnect(100)
}
