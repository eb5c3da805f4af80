package brokertest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Message is one message a Subscriber received.
type Message struct {
	Topic    string
	Payload  []byte
	Retained bool
	Dup      bool
	// Conn counts the subscriber's connections: it grows by one each time
	// the subscriber reconnects, so a test can check order per connection.
	Conn int
}

// Subscriber collects every message on a topic filter. It keeps a
// persistent session (clean session off, QoS 1), so messages published
// while it is reconnecting after a broker restart are queued for it by the
// broker and not lost.
type Subscriber struct {
	t      testing.TB
	client mqtt.Client
	conns  atomic.Int64

	mu     sync.Mutex
	msgs   []Message
	notify chan struct{}
}

var subscriberID atomic.Int64

// Subscribe connects a subscriber to b on filter (QoS 1) and waits until
// the subscription is in place. It is disconnected with t.Cleanup.
func (b *Broker) Subscribe(t testing.TB, filter string) *Subscriber {
	t.Helper()
	return b.subscribe(t, filter, false)
}

func (b *Broker) subscribe(t testing.TB, filter string, clean bool) *Subscriber {
	t.Helper()
	s := &Subscriber{t: t, notify: make(chan struct{})}
	subscribed := make(chan error, 1)
	opts := b.ClientOptions(fmt.Sprintf("brokertest-sub-%d-%d", time.Now().UnixNano()%1e6, subscriberID.Add(1)))
	opts.SetCleanSession(clean)
	opts.SetAutoReconnect(true)
	opts.SetConnectRetry(true)
	opts.SetConnectRetryInterval(100 * time.Millisecond)
	opts.SetMaxReconnectInterval(200 * time.Millisecond)
	opts.SetOrderMatters(true)
	opts.SetOnConnectHandler(func(c mqtt.Client) {
		s.conns.Add(1)
		tok := c.Subscribe(filter, 1, s.handle)
		go func() {
			tok.Wait()
			select {
			case subscribed <- tok.Error():
			default:
			}
		}()
	})
	s.client = mqtt.NewClient(opts)
	tok := s.client.Connect()
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("brokertest: subscriber connect: %v", tok.Error())
	}
	select {
	case err := <-subscribed:
		if err != nil {
			t.Fatalf("brokertest: subscribe %s: %v", filter, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("brokertest: subscribe %s timed out", filter)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *Subscriber) handle(_ mqtt.Client, m mqtt.Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, Message{Topic: m.Topic(), Payload: append([]byte(nil), m.Payload()...), Retained: m.Retained(), Dup: m.Duplicate(), Conn: int(s.conns.Load())})
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
}

// Messages returns a copy of everything received so far, in arrival order.
func (s *Subscriber) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor waits until done returns true for the messages received so far,
// or the timeout passes; it reports whether done became true.
func (s *Subscriber) WaitFor(timeout time.Duration, done func([]Message) bool) bool {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		ok := done(s.msgs)
		ch := s.notify
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			return false
		}
	}
}

// Close disconnects the subscriber.
func (s *Subscriber) Close() {
	if s.client.IsConnected() {
		s.client.Disconnect(100)
	}
}

// retainedFirst is how long Retained waits for the first message.
const retainedFirst = 5 * time.Second

// Retained connects a fresh client, subscribes to filter and returns the
// latest retained payload of each topic that matched, waiting quiet for
// settle after the last one arrives.
func (b *Broker) Retained(t testing.TB, filter string, settle time.Duration) map[string][]byte {
	t.Helper()
	s := b.subscribe(t, filter, true)
	defer s.Close()
	// The first may take a while on a loaded machine (a TLS handshake,
	// the broker's queue): settle only counts once something came. A
	// filter that matches nothing costs retainedFirst.
	s.WaitFor(retainedFirst, func(m []Message) bool { return len(m) > 0 })
	var n int
	for {
		time.Sleep(settle)
		msgs := s.Messages()
		if len(msgs) == n {
			break
		}
		n = len(msgs)
	}
	out := map[string][]byte{}
	for _, m := range s.Messages() {
		if m.Retained {
			out[m.Topic] = m.Payload
		}
	}
	return out
}

// ClientOptions returns paho options that reach this broker: its URL, the
// configured username and password, and its TLS settings.
func (b *Broker) ClientOptions(clientID string) *mqtt.ClientOptions {
	opts := mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID(clientID)
	opts.SetProtocolVersion(4)
	if b.opts.Username != "" {
		opts.SetUsername(b.opts.Username).SetPassword(b.opts.Password)
	}
	if b.opts.TLS {
		opts.SetTLSConfig(b.ClientTLS())
	}
	return opts
}

// Publish connects a short-lived client and publishes one QoS 1 message.
func Publish(b *Broker, topic string, payload []byte, retained bool) error {
	c := mqtt.NewClient(b.ClientOptions(fmt.Sprintf("brokertest-pub-%d", subscriberID.Add(1))))
	tok := c.Connect()
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		return fmt.Errorf("brokertest: connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	p := c.Publish(topic, 1, retained, payload)
	if !p.WaitTimeout(10*time.Second) || p.Error() != nil {
		return fmt.Errorf("brokertest: publish: %v", p.Error())
	}
	return nil
}
