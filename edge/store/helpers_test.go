package store

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		l = time.FixedZone("Asia/Shanghai", 8*3600)
	}
	return l
}()

// start is 10:00 on 2026-03-04 in Shanghai.
var start = time.Date(2026, 3, 4, 10, 0, 0, 0, shanghai)

// openTest opens a store in a new temporary folder and closes it at the
// end of the test.
func openTest(tb testing.TB, opts Options) (*Store, string) {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "edge.db")
	return openAt(tb, p, opts), p
}

func openAt(tb testing.TB, p string, opts Options) *Store {
	tb.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := Open(p, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func ptr[T any](v T) *T { return &v }

var modules = []string{"traffic", "fire", "fraud", "drugs", "disasters"}

// visit returns the events of one realistic visitor, numbered i.
func visit(i int) []wire.Event {
	m := modules[i%len(modules)]
	ev := []wire.Event{
		{Kind: wire.DoorEntry, Sensor: "door", AfterHours: i%17 == 0},
		{Kind: wire.PresenceStart, Sensor: "presence"},
		{Kind: wire.SessionStart, Lang: "zh-CN"},
		{Kind: wire.ModuleStart, Module: m},
	}
	for q := 0; q < 4; q++ {
		ev = append(ev, wire.Event{Kind: wire.StepAnswer, Module: m, Step: fmt.Sprintf("%s-q%d", m, q+1), Correct: ptr((i+q)%3 != 0)})
	}
	ev = append(ev,
		wire.Event{Kind: wire.ModuleComplete, Module: m, Score: 3, Total: 4, Passed: ptr(i%4 != 0)},
		wire.Event{Kind: wire.Feedback, Rating: 1 + i%3},
		wire.Event{Kind: wire.SessionEnd, Reason: wire.ReasonFinished, Lang: "zh-CN"},
		wire.Event{Kind: wire.PresenceEnd, Sensor: "presence"},
		wire.Event{Kind: wire.DoorExit, Sensor: "door"},
	)
	return ev
}

// visitEvents returns n events made of whole and partial visits.
func visitEvents(n int) []wire.Event {
	var out []wire.Event
	for i := 0; len(out) < n; i++ {
		out = append(out, visit(i)...)
	}
	return out[:n]
}

// recordAll records events from workers goroutines and returns the counts
// they add up to.
func recordAll(tb testing.TB, s *Store, events []wire.Event, workers int) wire.Counters {
	tb.Helper()
	var want wire.Counters
	for _, e := range events {
		want.Add(e)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(events); i += workers {
				if err := s.Record(context.Background(), events[i]); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return want
}

// recordFast hands events to the writer chunk at a time without a
// goroutine per caller (the writer sees the same batches as with chunk
// concurrent recorders) and returns the counts they add up to.
func recordFast(tb testing.TB, s *Store, events []wire.Event, chunk int) wire.Counters {
	tb.Helper()
	chunk = min(chunk, maxBatch)
	var want wire.Counters
	for i := 0; i < len(events); i += chunk {
		var reqs []*request
		for _, e := range events[i:min(i+chunk, len(events))] {
			want.Add(e)
			if e.Time.IsZero() {
				e.Time = s.opts.Clock.Now()
			}
			r := &request{ev: e, done: make(chan error, 1)}
			reqs = append(reqs, r)
			s.reqs <- r
		}
		for _, r := range reqs {
			if err := <-r.done; err != nil {
				tb.Fatal(err)
			}
		}
	}
	return want
}
