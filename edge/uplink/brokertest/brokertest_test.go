package brokertest

import (
	"fmt"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

func publish(t *testing.T, b *Broker, id, topic, payload string, retained bool) error {
	t.Helper()
	c := mqtt.NewClient(b.ClientOptions(id))
	tok := c.Connect()
	tok.WaitTimeout(5 * time.Second)
	if err := tok.Error(); err != nil {
		return err
	}
	defer c.Disconnect(50)
	p := c.Publish(topic, 1, retained, payload)
	p.WaitTimeout(5 * time.Second)
	return p.Error()
}

func TestModes(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"plain", Options{}},
		{"password", Options{Username: "dev", Password: "s3cret"}},
		{"tls", Options{TLS: true, Username: "dev", Password: "s3cret"}},
		{"mtls", Options{RequireClientCert: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Start(t, tc.opts)
			sub := b.Subscribe(t, "x/#")
			if err := publish(t, b, "pub", "x/y", "hello", true); err != nil {
				t.Fatalf("publish: %v", err)
			}
			if !sub.WaitFor(5*time.Second, func(m []Message) bool { return len(m) == 1 }) {
				t.Fatalf("got %v", sub.Messages())
			}
			got := b.Retained(t, "x/#", 100*time.Millisecond)
			if string(got["x/y"]) != "hello" {
				t.Fatalf("retained: %q", got)
			}
		})
	}
}

func TestWrongPasswordRefused(t *testing.T) {
	b := Start(t, Options{Username: "dev", Password: "right"})
	opts := b.ClientOptions("pub").SetPassword("wrong")
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	tok.WaitTimeout(5 * time.Second)
	if tok.Error() == nil {
		c.Disconnect(0)
		t.Fatal("wrong password accepted")
	}
}

func TestRestartKeepsSubscriberSession(t *testing.T) {
	b := Start(t, Options{})
	sub := b.Subscribe(t, "r/#")
	b.Stop()
	if b.Running() {
		t.Fatal("still running")
	}
	b.Start()
	// Published right after the restart, possibly before the subscriber
	// has reconnected: the persistent session must still queue it.
	for i := range 5 {
		if err := publish(t, b, "pub", "r/x", fmt.Sprint(i), false); err != nil {
			t.Fatal(err)
		}
	}
	if !sub.WaitFor(10*time.Second, func(m []Message) bool { return len(m) == 5 }) {
		t.Fatalf("got %d messages after restart; log: %s", len(sub.Messages()), b.Log())
	}
}
