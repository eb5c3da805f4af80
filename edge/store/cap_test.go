package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
)

// TestDiskCap is a long outage under a tiny cap: nothing is acknowledged,
// the file must never pass the cap, the oldest events are dropped and
// counted, and the counters stay exact.
func TestDiskCap(t *testing.T) {
	const maxBytes = 512 << 10
	clk := clocktest.NewFake(start)
	s, p := openTest(t, Options{Clock: clk, MaxBytes: maxBytes})
	var want wire.Counters
	events := visitEvents(30000)
	var biggest int64
	for i := 0; i < len(events); i += 5000 {
		want.Merge(recordFast(t, s, events[i:i+5000], 256))
		st := s.Stats()
		biggest = max(biggest, st.Bytes)
		if st.Bytes > maxBytes {
			t.Fatalf("after %d events the file is %d bytes, over the cap %d", i+5000, st.Bytes, maxBytes)
		}
	}
	st := s.Stats()
	t.Logf("30000 events under a %d-byte cap: file %d bytes (largest seen %d), %d held, %d dropped, %d compactions",
		maxBytes, st.Bytes, biggest, st.Events, st.Dropped, st.Compactions)
	if st.Dropped == 0 {
		t.Fatal("nothing dropped: the test did not reach the cap")
	}
	if st.Events+st.Dropped != st.LastSeq || st.LastSeq != 30000 {
		t.Errorf("held %d + dropped %d != last seq %d", st.Events, st.Dropped, st.LastSeq)
	}
	if st.Watermark != st.Dropped || st.Backlog != st.Events {
		t.Errorf("dropped events should count as acknowledged: %+v", st)
	}
	if st.Events < 2500 {
		t.Errorf("only %d events held in a 512 KiB file", st.Events)
	}
	if tot := s.Totals(); !tot.Lifetime.Equal(want) || !tot.Today.Equal(want) {
		t.Error("counters are not exact after drops")
	}
	ev, err := s.Pending(s.Watermark(), 10)
	if err != nil || len(ev) == 0 || ev[0].Seq != st.Dropped+1 {
		t.Fatalf("outbox after drops: %v %v", ev, err)
	}
	// The uplink comes back: it can drain what is left, in order.
	var sent uint64
	for after := s.Watermark(); ; {
		ev, err := s.Pending(after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) == 0 {
			break
		}
		for _, e := range ev {
			if e.Seq != after+1 {
				t.Fatalf("gap: %d after %d", e.Seq, after)
			}
			after = e.Seq
			if err := s.Ack(e.Seq); err != nil {
				t.Fatal(err)
			}
			sent++
		}
	}
	if sent != st.Events || s.Watermark() != 30000 {
		t.Errorf("drained %d of %d, watermark %d", sent, st.Events, s.Watermark())
	}
	// Dropped count and counters survive a restart.
	s.Close()
	s = openAt(t, p, Options{Clock: clk, MaxBytes: maxBytes})
	if st2 := s.Stats(); st2.Dropped != st.Dropped || st2.LastSeq != 30000 || st2.Bytes > maxBytes {
		t.Errorf("after restart %+v", st2)
	}
	if !s.Totals().Lifetime.Equal(want) {
		t.Error("counters lost across restart")
	}
}

// TestCompactKeepsEverything compacts explicitly and checks that seq, boot,
// counters, watermark and events are carried over and the file shrank.
func TestCompactKeepsEverything(t *testing.T) {
	clk := clocktest.NewFake(start)
	s, p := openTest(t, Options{Clock: clk, Retention: time.Hour})
	want := recordFast(t, s, visitEvents(20000), 512)
	for seq := uint64(1); seq <= 19990; seq++ {
		s.Ack(seq)
	}
	clk.Advance(2 * time.Hour)
	for i := 0; i < 3; i++ { // retention deletes in chunks
		want.Add(wire.Event{Kind: wire.DoorEntry})
		if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Stats()
	if before.Events != 13 {
		t.Fatalf("retention left %d events", before.Events)
	}
	if err := s.compact(0); err != nil {
		t.Fatal(err)
	}
	after := s.Stats()
	t.Logf("compaction: %d -> %d bytes", before.Bytes, after.Bytes)
	if after.Bytes >= before.Bytes || after.Compactions != 1 {
		t.Errorf("file did not shrink: %d -> %d", before.Bytes, after.Bytes)
	}
	if after.LastSeq != before.LastSeq || after.Watermark != before.Watermark || after.Events != before.Events || after.Boot != before.Boot {
		t.Errorf("state changed: %+v -> %+v", before, after)
	}
	if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorExit}); err != nil {
		t.Fatal(err)
	}
	want.Add(wire.Event{Kind: wire.DoorExit})
	if !s.Totals().Lifetime.Equal(want) {
		t.Error("counters changed")
	}
	s.Close()
	if _, err := os.Stat(p + ".compact"); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
	s = openAt(t, p, Options{Clock: clk})
	if st := s.Stats(); st.LastSeq != 20004 || st.Boot != 2 {
		t.Errorf("after reopen %+v", st)
	}
	if ev, _ := s.Pending(19990, 100); len(ev) != 14 || ev[0].Seq != 19991 {
		t.Errorf("events after compaction: %d", len(ev))
	}
}

// TestCapLowered opens a file bigger than a newly lowered cap: the store
// drops old events and compacts so the file fits.
func TestCapLowered(t *testing.T) {
	p := filepath.Join(t.TempDir(), "edge.db")
	s := openAt(t, p, Options{})
	want := recordFast(t, s, visitEvents(40000), 512)
	s.Close()
	big := s.Stats().Bytes
	const maxBytes = 512 << 10
	if big <= maxBytes {
		t.Fatalf("file only %d bytes", big)
	}
	s = openAt(t, p, Options{MaxBytes: maxBytes})
	st := s.Stats()
	t.Logf("cap lowered: %d -> %d bytes, %d dropped", big, st.Bytes, st.Dropped)
	if st.Bytes > maxBytes || st.Dropped == 0 || st.Events+st.Dropped != 40000 {
		t.Errorf("stats %+v", st)
	}
	if !s.Totals().Lifetime.Equal(want) {
		t.Error("counters changed")
	}
	if err := s.Record(context.Background(), wire.Event{Kind: wire.DoorEntry}); err != nil {
		t.Fatal(err)
	}
}

// TestDiskCapFallback switches off the early drops so that bbolt itself
// refuses to grow the file: the store must then make room (drop, compact)
// and still record every event, under the cap, with exact counters.
func TestDiskCapFallback(t *testing.T) {
	const maxBytes = 512 << 10
	s, _ := openTest(t, Options{MaxBytes: maxBytes})
	s.cap.high = 1 << 62 // no early drops: only bbolt's MaxSize stops growth
	var want wire.Counters
	events := visitEvents(20000)
	for i := 0; i < len(events); i += 5000 {
		want.Merge(recordFast(t, s, events[i:i+5000], 256))
		if st := s.Stats(); st.Bytes > maxBytes {
			t.Fatalf("file %d bytes over the cap", st.Bytes)
		}
	}
	st := s.Stats()
	t.Logf("fallback: file %d bytes, %d held, %d dropped, %d compactions", st.Bytes, st.Events, st.Dropped, st.Compactions)
	if st.Dropped == 0 || st.Events+st.Dropped != 20000 {
		t.Errorf("stats %+v", st)
	}
	if !s.Totals().Lifetime.Equal(want) {
		t.Error("counters not exact")
	}
}
