// Package flowtest has fakes for testing code built on kiosk/flow: a manual
// Clock, a Recorder that keeps what it is given, and a small bilingual Pack
// with every step type.
package flowtest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/internal/clock/clocktest"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// Clock is the device's fake clock (clocktest.Fake), which flow.Clock is.
type Clock = clocktest.Fake

var _ flow.Clock = (*Clock)(nil)

// NewClock returns a fake clock reading t.
func NewClock(t time.Time) *Clock { return clocktest.NewFake(t) }

// Recorder keeps every event it is given. Set Err to make Record fail, or
// Gate to make it wait (until the gate is closed or the context ends).
type Recorder struct {
	mu     sync.Mutex
	events []wire.Event
	Err    error
	Gate   chan struct{}
}

var _ flow.Recorder = (*Recorder)(nil)

// Record keeps e.
func (r *Recorder) Record(ctx context.Context, e wire.Event) error {
	r.mu.Lock()
	gate, err := r.Gate, r.Err
	r.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	return nil
}

// Events returns a copy of the events recorded so far.
func (r *Recorder) Events() []wire.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Kinds returns the kinds of the events recorded so far.
func (r *Recorder) Kinds() []wire.Kind {
	var k []wire.Kind
	for _, e := range r.Events() {
		k = append(k, e.Kind)
	}
	return k
}

// Reset forgets the events recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}
