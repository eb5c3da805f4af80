package sim_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/room"
	"github.com/wufang-kiosk/wufang/sensors/sim"
)

var stormRoom = room.Setup{
	Door:             room.Door{Outer: "GPIO17", Inner: "GPIO27"},
	Presence:         room.Presence{Pin: "GPIO22", Hold: 5 * time.Second},
	Buttons:          map[string]string{"a": "GPIO5", "b": "GPIO6"},
	ButtonsActiveLow: true,
}

// TestNoiseStorm puts a simulated minute of 1,000 edges per second on the
// outer beam while button a is pressed twice a second and the PIR fires
// every ten seconds. Every press and presence must come through at the
// debounce delay, the storm must count nobody and show as one noise fault
// (and its recovery), and neither memory nor timers may grow with it.
func TestNoiseStorm(t *testing.T) {
	clk := clocktest.NewFake(time.Time{})
	s := sim.NewRoom(stormRoom, &sim.Opts{Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := room.Start(ctx, stormRoom, s.Pins(), &room.Opts{Clock: clk})
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
	outer, btn, pir := s.Pin("GPIO17"), s.Pin("GPIO5"), s.Pin("GPIO22")
	start := clk.Now()
	var pressed []time.Time
	var heap10s uint64
	goroutines := runtime.NumGoroutine()
	var maxTimers int
	const ms = time.Millisecond
	for i := range 60_000 {
		at := start.Add(time.Duration(i) * ms)
		clk.Set(at)
		outer.Set(gpio.Level(i%2 == 0))
		switch i % 500 {
		case 250:
			btn.Set(gpio.Low)
			pressed = append(pressed, at)
		case 330:
			btn.Set(gpio.High)
		}
		switch i % 10_000 {
		case 100:
			pir.Set(gpio.High)
		case 3100:
			pir.Set(gpio.Low)
		}
		maxTimers = max(maxTimers, clk.Pending())
		if i == 10_000 {
			heap10s = heapNow()
		}
	}
	heap60s := heapNow()
	outer.Set(gpio.Low)
	clk.Advance(time.Minute)
	cancel()
	<-done
	if err := r.Wait(); err != nil {
		t.Fatal(err)
	}

	var presses []time.Time
	var lat []time.Duration
	starts, ends := 0, 0
	var door []string
	for _, e := range got {
		switch {
		case e.Sensor == "button.a" && e.Kind == sensors.Press:
			presses = append(presses, e.Time)
		case e.Kind == sensors.PresenceStart:
			starts++
		case e.Kind == sensors.PresenceEnd:
			ends++
		case e.Sensor == "door":
			door = append(door, fmt.Sprintf("%s@%s", e.Kind, e.Time.Sub(start)))
		}
	}
	if len(presses) != len(pressed) {
		t.Fatalf("%d presses reported, %d made", len(presses), len(pressed))
	}
	for k := range presses {
		if !presses[k].Equal(pressed[k]) {
			t.Fatalf("press %d dated %s, pressed at %s", k, presses[k].Sub(start), pressed[k].Sub(start))
		}
		lat = append(lat, presses[k].Sub(pressed[k]))
	}
	if fmt.Sprint(door) != "[sensor.fault@3s sensor.ok@1m10s]" {
		t.Errorf("door events %v, want a noise fault at 3 s and its recovery 10 s after the storm", door)
	}
	if starts != 6 || ends != 6 {
		t.Errorf("presence: %d starts, %d ends, want 6 each", starts, ends)
	}
	growth := int64(heap60s) - int64(heap10s)
	t.Logf("storm: 60,000 edges on the outer beam over a simulated minute; %d presses and %d presences all reported, 0 dropped; heap %d KiB at 10 s, %d KiB at 60 s; at most %d timers armed; goroutines %d before, %d after",
		len(presses), starts, heap10s>>10, heap60s>>10, maxTimers, goroutines, runtime.NumGoroutine())
	if growth > 512<<10 {
		t.Errorf("heap grew by %d KiB during the storm", growth>>10)
	}
	if maxTimers > 8 {
		t.Errorf("%d timers armed at once", maxTimers)
	}
}

func heapNow() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkPressLatency measures, on the wall clock, the time from a button
// edge to its event leaving the room, quiet and with a 1 kHz noise storm on
// the outer beam. The figures include the 20 ms debounce window.
//
//	go test -run '^$' -bench PressLatency -benchtime 200x ./sensors/sim/
func BenchmarkPressLatency(b *testing.B) {
	for _, storm := range []bool{false, true} {
		name := "quiet"
		if storm {
			name = "storm-1kHz"
		}
		b.Run(name, func(b *testing.B) {
			s := sim.NewRoom(stormRoom, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r, err := room.Start(ctx, stormRoom, s.Pins(), nil)
			if err != nil {
				b.Fatal(err)
			}
			stormDone := make(chan int)
			if storm {
				go func() {
					outer := s.Pin("GPIO17")
					tick := time.NewTicker(time.Millisecond)
					defer tick.Stop()
					n, began := 0, time.Now()
					for {
						select {
						case <-ctx.Done():
							stormDone <- n
							return
						case <-tick.C:
							// Catch up on ticks the scheduler swallowed:
							// 1,000 edges a second on average.
							for due := int(time.Since(began) / time.Millisecond); n < due; n++ {
								outer.Set(gpio.Level(n%2 == 0))
							}
						}
					}
				}()
			}
			btn := s.Pin("GPIO5")
			lat := make([]time.Duration, 0, b.N)
			other, noiseFaults := 0, 0
			began := time.Now()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				btn.Set(gpio.Low)
				for e := range r.Events() {
					if e.Sensor == "button.a" && e.Kind == sensors.Press {
						break
					}
					if e.Sensor == "door" && e.Kind == sensors.Fault {
						noiseFaults++
						continue
					}
					other++
				}
				lat = append(lat, time.Since(t0))
				btn.Set(gpio.High)
				time.Sleep(25 * time.Millisecond) // let the release settle
			}
			b.StopTimer()
			cancel()
			for e := range r.Events() {
				switch {
				case e.Sensor == "door" && e.Kind == sensors.Fault && strings.Contains(e.Detail, "edges a second"):
					noiseFaults++ // the storm is reported, as it should be
				case e.Sensor != "button.a":
					other++
				}
			}
			edges := 0
			if storm {
				edges = <-stormDone
			}
			slices.Sort(lat)
			p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
			b.ReportMetric(p(0.5), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
			b.ReportMetric(float64(other), "stray-events")
			b.ReportMetric(float64(noiseFaults), "noise-faults")
			b.ReportMetric(float64(edges)/time.Since(began).Seconds(), "storm-edges/s")
		})
	}
}

// BenchmarkDoorLatency measures, on the wall clock, the time from the last
// beam edge of a crossing (the inner beam clearing) to its door.entry
// leaving the room. It includes the debounce window and the door counter's
// body gap: a crossing is only over once the doorway has been clear that long.
//
//	go test -run '^$' -bench DoorLatency -benchtime 20x ./sensors/sim/
func BenchmarkDoorLatency(b *testing.B) {
	s := sim.NewRoom(stormRoom, nil)
	ctx := b.Context()
	r, err := room.Start(ctx, stormRoom, s.Pins(), nil)
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		for _, st := range []struct {
			beam    string
			blocked bool
			after   time.Duration
		}{{"outer", true, 50 * time.Millisecond}, {"inner", true, 200 * time.Millisecond}, {"outer", false, 50 * time.Millisecond}, {"inner", false, 0}} {
			if err := s.Beam(st.beam, st.blocked); err != nil {
				b.Fatal(err)
			}
			time.Sleep(st.after)
		}
		t0 := time.Now()
		for e := range r.Events() {
			if e.Kind == sensors.DoorEntry {
				break
			}
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(200 * time.Millisecond)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max-ms")
}
