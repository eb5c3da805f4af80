package ingest

import (
	"context"
	"fmt"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/uplink"
)

// PublishRetained connects to m's broker on a short connection of its own
// (client id clientID, clean session), publishes payload retained at QoS 1
// on topic (an empty payload clears the topic's retained message), waits
// for the broker's acknowledgement and disconnects. The hub's pack offers
// use it: rare messages that must not wait behind the event stream, from
// the running hub and from the wufang-hub offer command alike.
func PublishRetained(ctx context.Context, m uplink.Config, clientID, topic string, payload []byte) error {
	if err := uplink.CheckBroker(m.Broker); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	tlsCfg, err := uplink.ClientTLS(m)
	if err != nil {
		return fmt.Errorf("publish: %s", uplink.Describe(err, m))
	}
	timeout := m.ConnectTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	opts := mqtt.NewClientOptions().
		AddBroker(m.Broker).
		SetClientID(clientID).
		SetProtocolVersion(4).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectTimeout(timeout)
	if m.Username != "" {
		opts.SetUsername(m.Username).SetPassword(m.Password)
	}
	if tlsCfg != nil {
		opts.SetTLSConfig(tlsCfg)
	}
	c := mqtt.NewClient(opts)
	if err := wait(ctx, c.Connect()); err != nil {
		return fmt.Errorf("publish: connect to %s: %s", m.Broker, uplink.Describe(err, m))
	}
	defer c.Disconnect(250)
	if err := wait(ctx, c.Publish(topic, 1, true, payload)); err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

func wait(ctx context.Context, t mqtt.Token) error {
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}
