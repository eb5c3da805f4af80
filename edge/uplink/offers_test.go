package uplink

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// A device sees its own offer over its site's, falls back to the site's
// when its own is withdrawn, ignores a payload that fails the contract,
// and gets an offer made while it was away from the broker's retained copy.
func TestOffers(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(b)
	top, _ := wire.NewTopics(wire.DefaultRoot, cfg.Site, cfg.Device)
	pub := mqtt.NewClient(b.ClientOptions("offers-test-hub").SetCleanSession(true))
	if tok := pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	send := func(topic string, payload []byte) {
		t.Helper()
		if tok := pub.Publish(topic, 1, true, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("publish: %v", tok.Error())
		}
	}
	offer := func(version string) []byte {
		b, _ := json.Marshal(wire.Offer{V: 1, ID: "p", Version: version, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Size: 10, URL: "https://hub.example/packs/p.wfpack", Time: time.Now().UTC()})
		return b
	}
	// Made before the device subscribes: retained.
	send(top.SiteOffer(), offer("1.0.0"))

	var mu sync.Mutex
	var seen []string
	var bad []string
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		Offers(ctx, cfg, func(o *wire.Offer) {
			mu.Lock()
			defer mu.Unlock()
			if o == nil {
				seen = append(seen, "none")
			} else {
				seen = append(seen, o.Version)
			}
		}, func(topic string, err error) {
			mu.Lock()
			defer mu.Unlock()
			bad = append(bad, topic)
		})
		close(done)
	}()
	defer func() { cancel(); <-done }()
	last := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			got := ""
			if len(seen) > 0 {
				got = seen[len(seen)-1]
			}
			mu.Unlock()
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("offers seen %v, want the last to be %s", seen, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	last("1.0.0")
	send(top.Offer(), offer("2.0.0"))
	last("2.0.0")
	send(top.SiteOffer(), offer("1.1.0")) // the device's own still wins…
	send(top.Offer(), offer("2.0.1"))
	last("2.0.1")
	mu.Lock()
	if slices.Contains(seen, "1.1.0") {
		t.Errorf("the site's offer was reported over the device's own: %v", seen)
	}
	mu.Unlock()
	send(top.Offer(), []byte(`{"v":1,"id":"p"}`))
	last("1.1.0") // the broken own offer counts as none: the site's applies
	mu.Lock()
	if len(bad) != 1 || bad[0] != top.Offer() {
		t.Errorf("bad payloads reported %v", bad)
	}
	mu.Unlock()
	send(top.Offer(), offer("2.1.0"))
	last("2.1.0")
	send(top.Offer(), nil) // withdrawn
	last("1.1.0")
	send(top.SiteOffer(), nil)
	last("none")
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"1.0.0", "2.0.0", "2.0.1", "1.1.0", "2.1.0", "1.1.0", "none"}; !slices.Equal(seen, want) {
		t.Errorf("offers seen %v, want %v", seen, want)
	}
}
