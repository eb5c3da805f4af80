// Command fillstore records a number of door events into the event store of
// a config, as fast as the store takes them (64 concurrent recorders), for
// build/bench-rss.sh: it leaves a backlog for wufang-edge run to hold.
//
//	go run ./edge/cmd/wufang-edge/internal/fillstore --config wufang.yaml --n 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/node"
	"github.com/wufang-kiosk/wufang/edge/store"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func main() {
	cfgPath := flag.String("config", config.DefaultPath, "config file whose store is filled")
	n := flag.Int("n", 1_000_000, "events to record")
	flag.Parse()
	if err := fill(*cfgPath, *n); err != nil {
		fmt.Fprintf(os.Stderr, "fillstore: %v\n", err)
		os.Exit(1)
	}
}

func fill(cfgPath string, n int) error {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return err
	}
	s, err := store.Open(node.StorePath(cfg), node.StoreOptions(cfg, nil))
	if err != nil {
		return err
	}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range 64 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				e := wire.Event{Kind: wire.DoorEntry, Sensor: "door"}
				if i%2 == 1 {
					e.Kind = wire.DoorExit
				}
				if err := s.Record(context.Background(), e); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if err, _ := firstErr.Load().(error); err != nil {
		s.Close()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	st, err := store.OpenReadOnly(node.StorePath(cfg), node.StoreOptions(cfg, nil))
	if err != nil {
		return err
	}
	defer st.Close()
	stats := st.Stats()
	fmt.Printf("recorded %d events in %s (%.0f events/s); store holds %d events, backlog %d, %d bytes (%.0f bytes/event)\n",
		n, took.Round(time.Millisecond), float64(n)/took.Seconds(), stats.Events, stats.Backlog, stats.Bytes, float64(stats.Bytes)/float64(max(stats.Events, 1)))
	return nil
}
