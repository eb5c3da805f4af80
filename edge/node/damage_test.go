package node

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/uplink/brokertest"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// TestDamagedStoreRestartsAndDrains: a damaged page in the backlog, met
// while running, used to leave the device up but stuck for good (the
// uplink reconnected every 1-60 s and never sent again; 10,113 of 20,000
// sent) with a healthy-looking status. Now the node stops by itself with
// ErrStoreBroken (the daemon exits non-zero, systemd restarts it), and the
// restart salvages the file: the backlog drains but for the damaged page.
func TestDamagedStoreRestartsAndDrains(t *testing.T) {
	const n = 20000
	b := brokertest.Start(t, brokertest.Options{})
	cfg := testConfig(t, b.URL())
	cfg.HTTP.Listen = ""
	topics, _ := wire.NewTopics(cfg.MQTT.TopicRoot, cfg.Site, cfg.Device)
	sub := b.Subscribe(t, topics.Event())
	b.Stop() // an outage: the backlog builds up
	opts := Options{UplinkBackoff: func(int) time.Duration { return 50 * time.Millisecond }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	nd, err := Start(ctx, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			for i := w; i < n; i += 64 {
				if err := nd.Store.Record(ctx, wire.Event{Kind: wire.DoorEntry, Sensor: "door"}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	base := nd.Store.Stats().LastSeq - n // the simulated sensors may have said something first
	// A bad sector on the leaf page that holds event 3/4 of the way in.
	damageLeafHolding(t, StorePath(cfg), base+n*3/4)
	b.Start()
	select {
	case <-nd.Done():
	case <-time.After(60 * time.Second):
		t.Fatalf("node still running on a damaged store; store %+v, uplink %+v", nd.Store.Stats(), nd.UplinkState())
	}
	if err := nd.Wait(); !errors.Is(err, ErrStoreBroken) {
		t.Fatalf("Wait = %v, want ErrStoreBroken", err)
	}
	before := distinctSeqs(sub.Messages())

	// systemd's restart.
	nd, err = Start(ctx, cfg, opts)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	st := nd.Store.Stats()
	if st.Recovered == "" {
		t.Fatalf("restart did not repair the store: %+v", st)
	}
	deadline := time.Now().Add(60 * time.Second)
	for nd.Store.Stats().Backlog > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	st = nd.Store.Stats()
	if st.Backlog != 0 {
		t.Fatalf("backlog not drained after the restart: %+v", st)
	}
	// The broker has them all (the backlog drained); the subscriber may lag
	// behind on a loaded machine: WaitFor returns as soon as it has them.
	sub.WaitFor(60*time.Second, func(m []brokertest.Message) bool { return distinctSeqs(m) >= int(st.LastSeq-st.Dropped) })
	after := distinctSeqs(sub.Messages())
	t.Logf("%d events: %d sent before the damaged page stopped the node; after the restart %d sent in all, %d lost with the page",
		n, before, after, st.Dropped)
	if after < n-200 || uint64(after)+st.Dropped < st.LastSeq {
		t.Errorf("sent %d of %d (dropped %d, last seq %d)", after, n, st.Dropped, st.LastSeq)
	}
	cancel()
	if err := nd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func distinctSeqs(msgs []brokertest.Message) int {
	seen := map[uint64]bool{}
	for _, m := range msgs {
		if e, err := wire.DecodeEvent(m.Payload); err == nil {
			seen[e.Seq] = true
		}
	}
	return len(seen)
}

// damageLeafHolding overwrites, in place, the bbolt leaf page (flags 0x02
// at offset 8 of its header) that holds the key of seq.
func damageLeafHolding(t *testing.T, path string, seq uint64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key := string(binary.BigEndian.AppendUint64(nil, seq))
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for off := 2 * 4096; off+4096 <= len(b); off += 4096 {
		if pg := b[off : off+4096]; pg[8] == 0x02 && strings.Contains(string(pg[16:]), key) {
			junk := make([]byte, 4096)
			for i := range junk {
				junk[i] = byte(i*7919 + i/5 + 3)
			}
			if _, err := f.WriteAt(junk, int64(off)); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no leaf page holds seq %d", seq)
}
