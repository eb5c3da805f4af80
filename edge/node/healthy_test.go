package node

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestHealthy: a broker that cannot be reached leaves the node healthy
// (the watchdog must not restart a device for a network outage); an uplink
// that stopped, or a stopped node, is not.
func TestHealthy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	down, err := Start(ctx, testConfig(t, "tcp://127.0.0.1:1"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for down.UplinkState().Attempts == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s := down.UplinkState(); s.Attempts == 0 || s.Connected {
		t.Fatalf("uplink state %+v, want failed attempts", s)
	}
	if err := down.Healthy(); err != nil {
		t.Fatalf("Healthy with the broker down: %v", err)
	}

	// The uplink refuses a broker URL with credentials in it and returns.
	cfg := testConfig(t, "tcp://user:secret@127.0.0.1:1")
	cfg.HTTP.Listen = ""
	stopped, err := Start(ctx, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for stopped.Healthy() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := stopped.Healthy(); err == nil || !strings.Contains(err.Error(), "the MQTT uplink stopped: uplink: the broker address must not hold a user name") {
		t.Fatalf("Healthy with the uplink stopped: %v", err)
	}
	cancel()
	_ = down.Wait()
	if err := down.Healthy(); err == nil || err.Error() != "the node has stopped" {
		t.Fatalf("Healthy after stop: %v", err)
	}
}
