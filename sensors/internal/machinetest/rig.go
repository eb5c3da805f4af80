// Package machinetest drives a run.Machine the way run.Run does — deadlines
// first, then each edge — on a timeline the test writes down, with no
// goroutines and no clock.
package machinetest

import (
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/sensors"
	"github.com/wufang-kiosk/wufang/sensors/internal/run"
)

// T0 is the rig's start time.
var T0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Rig feeds one machine.
type Rig struct {
	T   testing.TB
	M   run.Machine
	Now time.Time
	Out []sensors.Event
}

// New initialises m with the inputs' start levels.
func New(t testing.TB, m run.Machine, active ...bool) *Rig {
	r := &Rig{T: t, M: m, Now: T0}
	m.Init(T0, active, r.emit)
	return r
}

func (r *Rig) emit(e sensors.Event) { r.Out = append(r.Out, e) }

// Until lets time run to T0+d, firing deadlines as a timer would.
func (r *Rig) Until(d time.Duration) {
	at := T0.Add(d)
	for {
		next, ok := r.M.Next()
		if !ok || next.After(at) {
			break
		}
		if next.After(r.Now) {
			r.Now = next
		}
		r.M.Advance(r.Now, r.emit)
	}
	if at.After(r.Now) {
		r.Now = at
	}
}

// Play runs tokens "ms:+" / "ms:-" (input 0 active / inactive), or
// "ms:1+" for input 1.
func (r *Rig) Play(script string) {
	r.T.Helper()
	for tok := range strings.FieldsSeq(script) {
		ms, edge, _ := strings.Cut(tok, ":")
		d, err := time.ParseDuration(ms + "ms")
		if err != nil || edge == "" {
			r.T.Fatalf("bad token %q", tok)
		}
		in := 0
		if len(edge) == 2 {
			in = int(edge[0] - '0')
			edge = edge[1:]
		}
		r.Until(d)
		r.M.Advance(r.Now, r.emit)
		r.M.Edge(in, r.Now, edge == "+", r.emit)
	}
}

// Kinds lists the events' kinds.
func (r *Rig) Kinds() string {
	var s []string
	for _, e := range r.Out {
		s = append(s, string(e.Kind))
	}
	return strings.Join(s, " ")
}

// At returns the events' times as offsets from T0.
func (r *Rig) At() []time.Duration {
	var out []time.Duration
	for _, e := range r.Out {
		out = append(out, e.Time.Sub(T0))
	}
	return out
}
