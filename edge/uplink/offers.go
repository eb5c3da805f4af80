package uplink

import (
	"context"
	"fmt"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

// Offers subscribes to the device's two offer topics (its own and its
// site's, see wire.Offer) with cfg's broker, credentials and TLS, and
// calls update with the offer that applies each time it changes: the
// device's own when there is one, else the site's; nil once both are
// withdrawn. A payload that fails the strict decoder is logged through bad
// and counts as no offer on that topic. It reconnects by itself and returns
// when ctx ends. Its connection is separate from the uplink's (client id
// "{site}:{device}:offers"), so a slow or lost subscription never holds up
// the event stream.
func Offers(ctx context.Context, cfg Config, update func(*wire.Offer), bad func(topic string, err error)) error {
	if cfg.TopicRoot == "" {
		cfg.TopicRoot = wire.DefaultRoot
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.Keepalive <= 0 {
		cfg.Keepalive = 30 * time.Second
	}
	topics, err := wire.NewTopics(cfg.TopicRoot, cfg.Site, cfg.Device)
	if err != nil {
		return fmt.Errorf("offers: %w", err)
	}
	if err := checkBroker(cfg.Broker); err != nil {
		return fmt.Errorf("offers: %w", err)
	}
	tlsCfg, err := (&Uplink{cfg: cfg}).tlsConfig()
	if err != nil {
		return fmt.Errorf("offers: %w", err)
	}
	var mu sync.Mutex
	var own, site *wire.Offer
	var last *wire.Offer
	first := true
	handle := func(_ mqtt.Client, m mqtt.Message) {
		var o *wire.Offer
		if len(m.Payload()) > 0 {
			d, err := wire.DecodeOffer(m.Payload())
			if err != nil {
				if bad != nil {
					bad(m.Topic(), err)
				}
			} else {
				o = &d
			}
		}
		mu.Lock()
		defer mu.Unlock()
		switch m.Topic() {
		case topics.Offer():
			own = o
		case topics.SiteOffer():
			site = o
		default:
			return
		}
		eff := own
		if eff == nil {
			eff = site
		}
		if !first && sameOffer(eff, last) {
			return
		}
		first, last = false, eff
		update(eff)
	}
	subs := map[string]byte{topics.Offer(): 1, topics.SiteOffer(): 1}
	opts := mqtt.NewClientOptions().
		AddBroker(cfg.Broker).
		SetClientID(ClientID(cfg.Site, cfg.Device) + ":offers").
		SetProtocolVersion(4).
		SetCleanSession(true).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(2 * time.Second).
		SetMaxReconnectInterval(60 * time.Second).
		SetConnectTimeout(cfg.ConnectTimeout).
		SetKeepAlive(cfg.Keepalive).
		SetOrderMatters(true).
		SetOnConnectHandler(func(c mqtt.Client) {
			// Retained offers arrive again on every subscription, so an
			// offer made while the device was away is not missed.
			c.SubscribeMultiple(subs, handle)
		})
	subscribeUntilDone(ctx, opts, cfg, tlsCfg)
	return nil
}

func sameOffer(a, b *wire.Offer) bool {
	if a == nil || b == nil {
		return a == b
	}
	// The time is the hub's act of offering: the same release offered
	// again is passed on (edge/delivery takes it as a new offer).
	return a.ID == b.ID && a.Version == b.Version && a.SHA256 == b.SHA256 && a.URL == b.URL && a.Rollback == b.Rollback && a.Size == b.Size &&
		a.Time.Equal(b.Time)
}
