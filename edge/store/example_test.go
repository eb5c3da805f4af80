package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
)

func ExampleStore_Record() {
	dir, err := os.MkdirTemp("", "wufang-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// A fixed clock: 2026-03-04 10:00 in Shanghai.
	now := time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
	s, err := store.Open(filepath.Join(dir, "edge.db"), store.Options{
		Clock: clocktest.NewFake(now),
		Site:  "bantian", Device: "door-1",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	ctx := context.Background()
	for _, e := range []wire.Event{
		{Kind: wire.DoorEntry, Sensor: "door"},
		{Kind: wire.DoorEntry, Sensor: "door"},
		{Kind: wire.DoorExit, Sensor: "door"},
	} {
		// Durable when Record returns.
		if err := s.Record(ctx, e); err != nil {
			log.Fatal(err)
		}
	}

	// The uplink sends what is after the watermark and acknowledges it.
	pending, _ := s.Pending(s.Watermark(), 100)
	for _, e := range pending {
		fmt.Println(e.Seq, e.Kind, e.Time.In(time.UTC).Format(time.RFC3339))
		if e.Seq != 2 { // the broker has not acknowledged seq 2 yet
			s.Ack(e.Seq)
		}
	}

	t := s.Totals()
	st := s.Stats()
	fmt.Printf("%s: in %d, out %d, seq %d\n", t.Date, t.Today.Entries, t.Today.Exits, t.Seq)
	fmt.Printf("watermark %d, backlog %d, boot %d\n", st.Watermark, st.Backlog, st.Boot)
	// Output:
	// 1 door.entry 2026-03-04T02:00:00Z
	// 2 door.entry 2026-03-04T02:00:00Z
	// 3 door.exit 2026-03-04T02:00:00Z
	// 2026-03-04: in 2, out 1, seq 3
	// watermark 1, backlog 2, boot 1
}
