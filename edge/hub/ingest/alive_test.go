package ingest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// stuckStore is a database whose event transactions hang until released,
// ignoring their deadline (a stuck driver).
type stuckStore struct {
	*db.DB
	entered chan struct{}
	release chan struct{}
}

func (s *stuckStore) StoreEvents(ctx context.Context, evs []db.Event, now time.Time) (int, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.DB.StoreEvents(ctx, evs, now)
}

// TestAlive: ingest is alive while it runs with the broker gone, and while
// its writer is busy; a writer that holds queued messages without moving
// for writerStall is stuck; once Run returns, ingest has stopped.
func TestAlive(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{})
	st := &stuckStore{DB: openDB(t), entered: make(chan struct{}, 1), release: make(chan struct{})}
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	in := New(Config{MQTT: uplink.Config{Broker: b.URL()}, ClientID: "hub-alive", Now: now}, st, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	waitFor(t, 10*time.Second, func() bool { return in.Stats().Connected }, "connected")
	if err := in.Alive(); err != nil {
		t.Fatalf("running: %v", err)
	}
	b.Stop()
	waitFor(t, 10*time.Second, func() bool { return !in.Stats().Connected }, "disconnected")
	if err := in.Alive(); err != nil {
		t.Fatalf("broker down: %v", err)
	}

	e := wire.Event{V: 1, Epoch: "00000000000000e1", Seq: 1, Boot: 1, Time: time.Now().UTC(), Kind: wire.DoorEntry}
	in.Handle(root+"/s1/d1/event", mustJSON(e), func() {})
	<-st.entered
	if err := in.Alive(); err != nil {
		t.Fatalf("busy writer: %v", err)
	}
	offset.Store(int64(writerStall + time.Minute))
	if err := in.Alive(); err == nil || !strings.Contains(err.Error(), "ingest is stuck: 1 messages queued") {
		t.Fatalf("stuck writer: %v", err)
	}
	close(st.release)
	waitFor(t, 10*time.Second, func() bool { return in.Stats().Stored == 1 }, "the event stored")
	if err := in.Alive(); err != nil {
		t.Fatalf("writer moved again: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := in.Alive(); err == nil || err.Error() != "ingest has stopped" {
		t.Fatalf("after Run: %v", err)
	}
}
