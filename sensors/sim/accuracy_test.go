package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/room"
	"github.com/wufang-kiosk/wufang/sensors/sim"
)

var doorOnly = room.Setup{Door: room.Door{Outer: "GPIO17", Inner: "GPIO27"}}

// playThrough plays a script through simulated pins into the real room on a
// fake clock and returns the room's events and the script's start time.
func playThrough(t testing.TB, setup room.Setup, script sim.Script) ([]sensors.Event, time.Time) {
	t.Helper()
	clk := clocktest.NewFake(time.Time{})
	s := sim.NewRoom(setup, &sim.Opts{Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := room.Start(ctx, setup, s.Pins(), &room.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	var got []sensors.Event
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range r.Events() {
			got = append(got, e)
		}
	}()
	start := clk.Now()
	if err := s.Play(ctx, script); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute) // let every pending deadline pass
	cancel()
	<-done
	if err := r.Wait(); err != nil {
		t.Fatal(err)
	}
	return got, start
}

// raceEnabled is set under the race detector, which makes the runs ten
// times slower: the cases beyond the two then use fewer visitors.
var raceEnabled = false

func TestAccuracy(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	extra := n
	if raceEnabled || testing.Short() {
		extra = n / 5
	}
	cases := []struct {
		name string
		opts sim.GenOpts
		min  float64
	}{
		{"clean single file", sim.GenOpts{Seed: 1, Crossings: n}, 1},
		{"bounce, 5% aborted, groups at gaps of 0.5 s or more", sim.GenOpts{Seed: 2, Crossings: n,
			Bounce: 3, Spikes: 2, Abort: 0.05, MaxGroup: 5, MinFollow: 500 * time.Millisecond, Rate: 6}, 0.99},
		{"tight groups (gaps 0.1-0.5 s), bounce, 5% aborted", sim.GenOpts{Seed: 3, Crossings: extra,
			Bounce: 3, Spikes: 2, Abort: 0.05, MaxGroup: 5, MinFollow: 100 * time.Millisecond, MaxFollow: 500 * time.Millisecond, Rate: 6}, 0.99},
		{"swinging arms: 30% of beams see light through the body", sim.GenOpts{Seed: 4, Crossings: extra,
			Bounce: 3, Abort: 0.05, MaxGroup: 5, BodyGaps: 0.3, Rate: 6}, 0.99},
		// People touching, the next one's front at the outer beam 10-60 ms
		// after the previous one's back. Only a regression floor: people
		// closer than door.Opts.BodyGap count as one, the documented limit
		// of two beams (light between them is a bag's gap through one body).
		{"touching (gaps 10-60 ms)", sim.GenOpts{Seed: 5, Crossings: extra,
			MaxGroup: 5, MinFollow: 10 * time.Millisecond, MaxFollow: 60 * time.Millisecond, Rate: 6}, 0.3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			script, truth := sim.Generate(c.opts)
			grade(t, script, truth, c.min)
		})
	}
}

// grade plays a generated stream through the real room on a fake clock and
// compares the counts with the stream's truth: the one comparison both
// generators' streams are graded by.
func grade(t *testing.T, script sim.Script, truth sim.Truth, min float64) sim.Confusion {
	t.Helper()
	evs, start := playThrough(t, doorOnly, script)
	conf := sim.Compare(truth, start, evs, 50*time.Millisecond)
	t.Logf("%d people (%d in, %d out, %d not crossing), %d raw edges, %s simulated: true %d, counted %d, correct %d, missed %d, extra %d, wrong direction %d: accuracy %.4f",
		len(truth.Crossings), truth.Entries, truth.Exits, truth.Aborted, truth.Edges, truth.Length.Round(time.Minute),
		conf.True, conf.Counted, conf.Correct, conf.Missed, conf.Extra, conf.Wrong, conf.Accuracy())
	if conf.Accuracy() < min {
		t.Errorf("accuracy %.4f, want at least %.3f", conf.Accuracy(), min)
	}
	for _, e := range evs {
		if e.Kind == sensors.Fault {
			t.Errorf("unexpected fault: %+v", e)
		}
	}
	return conf
}
