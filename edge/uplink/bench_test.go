package uplink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// BenchmarkDrain measures draining a 100,000-event backlog from the real
// store to mosquitto through the uplink, against a bare paho loop
// publishing the same payloads with 100 messages in flight, in the same
// run. It reports both rates and their ratio (uplink/paho).
func BenchmarkDrain(b *testing.B) {
	const n = 100_000
	br := brokertest.Start(b, brokertest.Options{})
	dir := b.TempDir()
	src := filepath.Join(dir, "filled.db")
	s, err := store.Open(src, store.Options{Site: "bench", Device: "dev-1"})
	if err != nil {
		b.Fatal(err)
	}
	recordN(b, s, n)
	events, err := s.Pending(0, n)
	if err != nil || len(events) != n {
		b.Fatalf("pending: %d %v", len(events), err)
	}
	payloads := make([][]byte, n)
	for i, e := range events {
		payloads[i], _ = json.Marshal(e)
	}
	s.Close()
	topics, _ := wire.NewTopics(wire.DefaultRoot, "bench", "dev-1")

	var pahoTime, upTime time.Duration
	b.ResetTimer()
	for i := range b.N {
		pahoTime += bareLoop(b, br, topics.Event(), payloads)
		upTime += drainOnce(b, br, src, filepath.Join(dir, fmt.Sprintf("run-%d.db", i)), n)
	}
	b.StopTimer()
	pahoRate := float64(n*b.N) / pahoTime.Seconds()
	upRate := float64(n*b.N) / upTime.Seconds()
	b.ReportMetric(pahoRate, "paho_events/s")
	b.ReportMetric(upRate, "uplink_events/s")
	b.ReportMetric(upRate/pahoRate, "ratio")
}

func bareLoop(b *testing.B, br *brokertest.Broker, topic string, payloads [][]byte) time.Duration {
	opts := br.ClientOptions("bench-bare").SetCleanSession(true).SetAutoReconnect(false)
	c := mqtt.NewClient(opts)
	if t := c.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		b.Fatalf("bare connect: %v", t.Error())
	}
	defer c.Disconnect(100)
	start := time.Now()
	window := make(chan mqtt.Token, 100)
	for _, p := range payloads {
		if len(window) == cap(window) {
			t := <-window
			if t.Wait(); t.Error() != nil {
				b.Fatal(t.Error())
			}
		}
		window <- c.Publish(topic, 1, false, p)
	}
	for len(window) > 0 {
		t := <-window
		if t.Wait(); t.Error() != nil {
			b.Fatal(t.Error())
		}
	}
	return time.Since(start)
}

func copyFile(b *testing.B, from, to string) {
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

func drainOnce(b *testing.B, br *brokertest.Broker, src, path string, n uint64) time.Duration {
	b.StopTimer()
	copyFile(b, src, path)
	s, err := store.Open(path, store.Options{Site: "bench", Device: "dev-1"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	defer os.Remove(path)
	u := New(Config{Broker: br.URL(), Site: "bench", Device: "dev-1"}, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	b.StartTimer()
	start := time.Now()
	go func() { done <- u.Run(ctx) }()
	for s.Watermark() < n {
		time.Sleep(time.Millisecond)
	}
	d := time.Since(start)
	cancel()
	<-done
	return d
}
