// Package run is the loop every sensors device shares: one goroutine per pin
// waits for edges, stamps them with the clock and feeds them to the device's
// state machine under one lock; a single clock timer wakes the machine at its
// next deadline. Events go out in the order the machine made them.
//
// A pin goroutine hands its edge to the machine before it waits for the next
// one. The simulator (sensors/sim) relies on that: it knows an edge has been
// fully handled when the pin is waited on again, which keeps fake-clock runs
// deterministic.
package run

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/wufang-kiosk/wufang/internal/clock"
	"github.com/wufang-kiosk/wufang/sensors"
)

// Poll bounds how long a pin goroutine blocks in WaitForEdge. Run ends the
// waits at shutdown with Halt (periph's gpioioctl pins, which Raspberry Pi OS
// uses, and the simulator's pins return from WaitForEdge on Halt), so Poll is
// only a backstop for a pin that Halt cannot interrupt. Each turn wakes the
// process, and an idle kiosk's CPU is counted in wake-ups: at 100 ms, ten
// pins made a third of it.
const Poll = 10 * time.Second

// haltAgain is how often Run repeats Halt while a pin goroutine is still
// waiting: one that was between two waits at the first Halt starts a new one.
const haltAgain = 50 * time.Millisecond

// Machine is a device's logic. Its methods are called under one lock, with
// non-decreasing times.
type Machine interface {
	// Init sets the levels read at start; active[i] is input i's level.
	Init(now time.Time, active []bool, emit func(sensors.Event))
	// Edge reports a raw edge on input i that left it active (or not).
	Edge(i int, t time.Time, active bool, emit func(sensors.Event))
	// Advance handles every deadline due by now.
	Advance(now time.Time, emit func(sensors.Event))
	// Next returns the machine's earliest deadline, if any.
	Next() (time.Time, bool)
}

// Input is one pin of a device.
type Input struct {
	Pin       gpio.PinIn
	Pull      gpio.Pull
	ActiveLow bool
}

// Configure sets the pins up as inputs with edge detection. Devices call it
// from their constructor, like periph drivers, so a pin that cannot do it is
// an error before anything runs, and edges are caught from then on.
func Configure(inputs []Input) error {
	for _, in := range inputs {
		if in.Pin == nil {
			return errors.New("nil pin")
		}
		if err := in.Pin.In(in.Pull, gpio.BothEdges); err != nil {
			return fmt.Errorf("configure %s for edge detection: %w", in.Pin, err)
		}
	}
	return nil
}

// Run feeds the machine from configured pins until ctx ends. It returns nil
// after a clean stop.
func Run(ctx context.Context, clk clock.Clock, inputs []Input, m Machine, out chan<- sensors.Event) error {
	r := &runner{ctx: ctx, clock: clock.Or(clk), m: m, out: out}
	active := make([]bool, len(inputs))
	for i, in := range inputs {
		active[i] = (in.Pin.Read() == gpio.High) != in.ActiveLow
	}
	r.mu.Lock()
	m.Init(r.clock.Now(), active, r.emit)
	r.settle()
	r.mu.Unlock()

	var wg sync.WaitGroup
	for i, in := range inputs {
		wg.Go(func() {
			r.watch(i, in)
		})
	}
	<-ctx.Done()
	stopped := make(chan struct{})
	go func() {
		wg.Wait()
		close(stopped)
	}()
	for done := false; !done; {
		for _, in := range inputs {
			_ = in.Pin.Halt()
		}
		select {
		case <-stopped:
			done = true
		case <-time.After(haltAgain):
		}
	}
	r.mu.Lock()
	r.gen++
	if r.timer != nil {
		r.timer.Stop()
	}
	r.mu.Unlock()
	return nil
}

type runner struct {
	ctx   context.Context
	clock clock.Clock
	m     Machine
	out   chan<- sensors.Event

	mu      sync.Mutex
	timer   clock.Timer
	armedAt time.Time
	gen     uint64
}

func (r *runner) watch(i int, in Input) {
	for r.ctx.Err() == nil {
		start := time.Now()
		if !in.Pin.WaitForEdge(Poll) {
			if time.Since(start) < Poll/10 {
				// A pin that cannot wait (not configured, halted)
				// must not spin.
				select {
				case <-r.ctx.Done():
				case <-time.After(Poll):
				}
			}
			continue
		}
		active := (in.Pin.Read() == gpio.High) != in.ActiveLow
		r.mu.Lock()
		now := r.clock.Now()
		r.m.Advance(now, r.emit)
		r.m.Edge(i, now, active, r.emit)
		r.settle()
		r.mu.Unlock()
	}
}

// settle handles deadlines that are already due and arms the timer for the
// next one. Called with mu held.
func (r *runner) settle() {
	for range 1000 {
		next, ok := r.m.Next()
		if !ok {
			if r.timer != nil {
				r.timer.Stop()
				r.timer = nil
			}
			return
		}
		now := r.clock.Now()
		if next.After(now) {
			if r.timer != nil && r.armedAt.Equal(next) {
				return
			}
			if r.timer != nil {
				r.timer.Stop()
			}
			r.gen++
			gen := r.gen
			r.armedAt = next
			r.timer = r.clock.AfterFunc(next.Sub(now), func() { r.fire(gen) })
			return
		}
		r.m.Advance(now, r.emit)
	}
}

func (r *runner) fire(gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen || r.ctx.Err() != nil {
		return
	}
	r.timer = nil
	r.m.Advance(r.clock.Now(), r.emit)
	r.settle()
}

// emit is called with mu held, so events leave in order; a consumer that
// stops reading holds the device up rather than losing a count.
func (r *runner) emit(e sensors.Event) {
	select {
	case r.out <- e:
	case <-r.ctx.Done():
	}
}
