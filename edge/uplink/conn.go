package uplink

import (
	"context"
	"crypto/tls"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Conn is one MQTT connection as the uplink uses it: QoS 1 publishes whose
// tokens complete on the broker's PUBACK, and a signal when the connection
// drops. Config.Dial makes one; paho's client is the default, and tests use
// a fake to drive the window and the acknowledgement order without a
// broker.
type Conn interface {
	// Publish sends one message at QoS 1. The token completes when the
	// broker has acknowledged it, or with an error.
	Publish(topic string, retained bool, payload []byte) Token
	// Lost receives the error that ended the connection.
	Lost() <-chan error
	// Close disconnects, waiting up to quiesce for work in progress.
	Close(quiesce time.Duration)
}

// Token is a pending publish (paho's mqtt.Token is one).
type Token interface {
	// Done is closed once the publish completed.
	Done() <-chan struct{}
	// Error is why it failed, once Done; nil when the broker has it.
	Error() error
}

// Message is a publication, here the last will.
type Message struct {
	Topic    string
	Payload  []byte
	Retained bool
}

// DialOptions are what Dial needs to connect.
type DialOptions struct {
	Broker         string
	ClientID       string
	Username       string
	Password       string
	TLS            *tls.Config // nil: plain TCP
	Keepalive      time.Duration
	ConnectTimeout time.Duration
	Will           Message // published by the broker at QoS 1 when the connection drops
}

// Dial connects to a broker with a clean session; it returns once the MQTT
// handshake is done, or when ctx ends.
type Dial func(ctx context.Context, o DialOptions) (Conn, error)

// DialPaho connects with paho.mqtt.golang: MQTT 3.1.1, clean session, no
// automatic reconnection (the uplink reconnects itself, from its outbox) and
// no message store of paho's own.
func DialPaho(ctx context.Context, o DialOptions) (Conn, error) {
	c := &pahoConn{lost: make(chan error, 1)}
	opts := mqtt.NewClientOptions().
		AddBroker(o.Broker).
		SetClientID(o.ClientID).
		SetProtocolVersion(4).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetKeepAlive(o.Keepalive).
		SetPingTimeout(min(o.Keepalive, 10*time.Second)).
		SetConnectTimeout(o.ConnectTimeout).
		// No write timeout: paho would set a deadline around every packet
		// written (measurably slower when draining a backlog); a stuck
		// connection is caught by the keepalive's ping timeout instead.
		SetOrderMatters(false).
		SetBinaryWill(o.Will.Topic, o.Will.Payload, 1, o.Will.Retained).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			select {
			case c.lost <- err:
			default:
			}
		})
	if o.Username != "" {
		opts.SetUsername(o.Username)
		opts.SetPassword(o.Password)
	}
	if o.TLS != nil {
		opts.SetTLSConfig(o.TLS)
	}
	c.client = mqtt.NewClient(opts)
	tok := c.client.Connect()
	select {
	case <-tok.Done():
	case <-ctx.Done():
		go func() { <-tok.Done(); c.client.Disconnect(0) }()
		return nil, ctx.Err()
	}
	if err := tok.Error(); err != nil {
		return nil, err
	}
	return c, nil
}

var _ Dial = DialPaho

type pahoConn struct {
	client mqtt.Client
	lost   chan error
}

func (c *pahoConn) Publish(topic string, retained bool, payload []byte) Token {
	return c.client.Publish(topic, 1, retained, payload)
}

func (c *pahoConn) Lost() <-chan error { return c.lost }

func (c *pahoConn) Close(quiesce time.Duration) {
	c.client.Disconnect(uint(quiesce / time.Millisecond))
}
